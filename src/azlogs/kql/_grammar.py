"""The KQL grammar (lark, LALR, contextual lexer).

The grammar is a Python string rather than a .lark file so the pure engine does no file I/O.
Scalar expressions and tabular pipelines share one ``expr`` rule: a pipeline is an expression
followed by ``| operator`` steps, which lets ``(T | where x)`` and ``(a + b)`` share one parse.
"""

from __future__ import annotations

from typing import Final

from azlogs.schema.types import KQL_ALIASES, ColumnType

# The words a type position reads: KQL's type names and their aliases (one list, azlogs.schema.types).
TYPE_WORDS: Final[frozenset[str]] = frozenset({t.kql_name for t in ColumnType} | set(KQL_ALIASES))

_GRAMMAR = r"""
start: _SEMI* (_stmt _SEMI+)* [_stmt]
_stmt: let_stmt | set_stmt | pipeline

set_stmt: "set" name ["=" set_value]
?set_value: literal | dynamic_lit | name -> set_word

let_stmt: "let" name "=" (pipeline | lambda_)
lambda_: [VIEW_KW] "(" [params] ")" "{" (let_stmt _SEMI+)* pipeline _SEMI* "}"
params: param ("," param)*
param: name ":" TYPE_NAME ["=" expr]
     | name ":" "(" (STAR | col_decl ("," col_decl)*) ")" -> table_param

pipeline: head ("|" op)*
?head: expr
     | print_op
     | union_op
     | range_op
     | search_op
     | evaluate_op
     | find_op

print_op: "print" [agg_list]
range_op: "range" name "from" expr "to" expr "step" expr

?op: where_op | extend_op | project_op | project_away_op | project_rename_op | project_keep_op
   | project_reorder_op | parse_op | take_op | sort_op | top_op | summarize_op | count_op
   | distinct_op | union_op | join_op | mv_expand_op | render_op | getschema_op | serialize_op
   | as_op | print_op | make_series_op | evaluate_op | invoke_op | lookup_op | mv_apply_op
   | search_op | top_nested_op | parse_kv_op | sample_op | externaldata_op | partition_op
   | _graph_op

where_op: ("where" | "filter") expr
extend_op: "extend" assign ("," assign)*
project_op: "project" assign ("," assign)*
project_away_op: "project-away" col_pattern ("," col_pattern)*
project_keep_op: "project-keep" col_pattern ("," col_pattern)*
project_reorder_op: "project-reorder" reorder_pattern ("," reorder_pattern)*
reorder_pattern: (name | WILDCARD_NAME | STAR) [SORT_DIR]
project_rename_op: "project-rename" rename ("," rename)*
rename: name "=" name
col_pattern: name | WILDCARD_NAME
parse_op: PARSE_KW option* expr "with" parse_item+
parse_item: string_lit -> parse_literal
          | "*" -> parse_star
          | name [":" TYPE_NAME] -> parse_column
take_op: ("take" | "limit") expr
sort_op: ("sort" | "order") "by" sort_key ("," sort_key)*
sort_key: expr [SORT_DIR] [NULLS_KW NULLS_POS]
top_op: "top" expr "by" sort_key
summarize_op: "summarize" option* [agg_list] [by_list]
agg_list: assign ("," assign)*
by_list: "by" assign ("," assign)*
count_op: "count"
distinct_op: "distinct" (STAR | assign ("," assign)*)
union_op: "union" option* union_item ("," union_item)*
?union_item: expr | STAR -> union_star | WILDCARD_NAME -> union_wildcard
join_op: "join" option* expr "on" join_key ("," join_key)*
join_key: expr
mv_expand_op: MV_EXPAND option* mv_item ("," mv_item)* ["limit" expr]
MV_EXPAND.3: "mv-expand" | /mvexpand(?![A-Za-z0-9_])/
mv_item: assign ["to" "typeof" "(" TYPE_NAME ")"]
render_op: "render" name render_prop* ["with" "(" [render_props] ")"]
render_props: render_prop ("," (render_prop | render_col))*
render_col: name
getschema_op: "getschema"
serialize_op: "serialize" [agg_list]
as_op: "as" option* name

// operators added for issue 14 (transformer methods in _parse_ops)
externaldata_op: ("externaldata" | "external_data") "(" col_decl ("," col_decl)* ")" "[" string_lit ("," string_lit)* ","? "]" [with_props]
with_props: "with" "(" [with_prop ("," with_prop)*] ")"
with_prop: name "=" expr
make_series_op: "make-series" option* ms_agg ("," ms_agg)* "on" ms_axis [by_list]
ms_agg: assign ["default" "=" expr]
ms_axis: add_expr IN_OP "range" "(" expr "," expr "," expr ")" -> ms_range
       | expr ["from" expr] ["to" expr] "step" expr -> ms_from_to
evaluate_op: "evaluate" option* name "(" [args] ")" [":" "(" eval_col ("," eval_col)* ")"]
?eval_col: col_decl | STAR -> eval_star
invoke_op: "invoke" name "(" [args] ")"
lookup_op: "lookup" option* expr "on" join_key ("," join_key)*
mv_apply_op: "mv-apply" option* mv_item ("," mv_item)* ["limit" expr] "on" "(" sub_ops ")"
sub_ops: op ("|" op)*
partition_op: "partition" option* "by" name "(" sub_ops ")"
search_op: "search" option* [IN_OP "(" name ("," name)* ")"] (expr | STAR)
find_op: "find" option* [IN_OP "(" name ("," name)* ")"] "where" (expr | STAR) [find_project]
find_project: PROJECT_SMART -> find_smart
            | "project" find_col ("," find_col)*
PROJECT_SMART.3: "project-smart"
?find_col: name [":" TYPE_NAME] -> find_column
         | "pack_all" "(" ")" -> find_pack
top_nested_op: tn_clause ("," tn_clause)*
tn_clause: "top-nested" [expr] "of" assign [WITH_OTHERS "=" expr] "by" assign [SORT_DIR]
WITH_OTHERS.3: /with[ \t\n]+others(?![A-Za-z0-9_])/
parse_kv_op: PARSE_KV expr "as" "(" col_decl ("," col_decl)* ")" [with_props]
PARSE_KV.3: "parse-kv"
sample_op: SAMPLE_KW expr ["of" expr]
SAMPLE_KW.3: "sample-distinct" | /sample(?![A-Za-z0-9_-])/
VIEW_KW.3: /view(?=[ \t\n]*\()/

// graph operators (AST in _ast, transformer methods in _parse_graph, semantics in _graph)
_graph_op: make_graph_op | graph_match_op | graph_shortest_paths_op | graph_to_table_op
         | graph_mark_components_op
make_graph_op: "make-graph" name GRAPH_ARROW name [mg_nodes | mg_node_id] [mg_partition]
mg_nodes: "with" mg_table ("," mg_table)*
mg_table: expr "on" name
mg_node_id: GRAPH_OPT "=" name
mg_partition: PARTITIONED_BY name "(" sub_ops ")"
graph_match_op: "graph-match" graph_opt* gpattern ("," gpattern)* ["where" expr] "project" assign ("," assign)*
graph_shortest_paths_op: "graph-shortest-paths" graph_opt* gpattern ["where" expr] "project" assign ("," assign)*
graph_to_table_op: "graph-to-table" gt_part ("," gt_part)*
gt_part: name gt_item*
gt_item: "as" name -> gt_as
       | GRAPH_OPT "=" name -> graph_opt
graph_mark_components_op: "graph-mark-components" graph_opt*
?graph_opt: GRAPH_OPT "=" name -> graph_opt
          | OUTPUT_OPT "=" name -> graph_opt
          | option
gpattern: gnode (GRAPH_EDGE gnode)*
gnode: "(" [name] ")"
GRAPH_ARROW.4: "-->" | "--"
PARTITIONED_BY.4: "partitioned-by"
GRAPH_EDGE.4: /<?-(\[[^\[\]\n]*\])?->?/
GRAPH_OPT.5: /(with_node_id|with_source_id|with_target_id|with_component_id|cycles)(?=[ \t\n]*=[^=~])/
// output= of graph-shortest-paths and of a scan step: one terminal, so neither hides the other.
OUTPUT_OPT.5: /output(?=[ \t\n]*=[^=~])/
// scan, project-by-names (_op_scan) and partition's legacy form, added to ``op`` here (the list above stays as is).
%extend op: scan_op | project_by_names_op | partition_legacy_op
// partition's legacy form: a subquery with its own source, run once per value of the key column.
partition_legacy_op: "partition" option* "by" name "{" pipeline "}"
scan_op: "scan" [SCAN_MATCH_ID "=" name] [SCAN_DECLARE "(" scan_decl ("," scan_decl)* ")"] "with" "(" scan_step+ ")"
scan_decl: name ":" TYPE_NAME ["=" expr]
scan_step: "step" name [OUTPUT_OPT "=" name] ":" expr ["=>" scan_assign ("," scan_assign)*] _SEMI
scan_assign: name "=" expr
SCAN_MATCH_ID.3: /with_match_id(?=[ \t\n]*=)/
SCAN_DECLARE.3: /declare(?=[ \t\n]*\()/
project_by_names_op: PROJECT_BY_NAMES expr ("," expr)*
PROJECT_BY_NAMES.3: "project-by-names"

option: OPT_KW "=" (name | literal | TYPE_NAME)
render_prop: name "=" expr
assign: (name "=")? expr
      | "(" name "," name ("," name)* ")" "=" expr -> tuple_assign

?expr: or_expr
?or_expr: and_expr ("or" and_expr)*
?and_expr: cmp_expr ("and" cmp_expr)*
?cmp_expr: add_expr
         | STAR STR_OP add_expr -> star_match
         | name ":" add_expr -> column_has
         | add_expr CMP_OP add_expr -> binop
         | add_expr STR_OP add_expr -> binop
         | add_expr MATCHES_KW "regex" add_expr -> regex_match
         | add_expr IN_OP "(" [args] ")" -> in_expr
         | add_expr BETWEEN_OP "(" add_expr ".." add_expr ")" -> between
?add_expr: mul_expr
         | add_expr ADD_OP mul_expr -> binop
?mul_expr: unary
         | mul_expr (MUL_OP | STAR) unary -> binop
?unary: postfix
      | ADD_OP unary -> neg
?postfix: atom
        | postfix "." member_name -> member
        | postfix "." "[" expr "]" -> index
        | postfix "[" expr "]" -> index
?atom: literal
     | name -> column
     | name "(" [args] ")" -> call
     | "(" pipeline ")" -> paren
     | datatable
     | dynamic_lit
     | externaldata_op
     | "range" "(" [args] ")" -> range_call
// `range` as a column's name (extend range = range(a, b, step) | mv-expand range).
%extend assign: "range" "=" expr -> range_assign
%extend atom: "range" -> range_column
// cluster("c").database("d").T: the one dotted call of KQL (refused as a cross-resource query).
%extend postfix: postfix "." NAME "(" [args] ")" -> method_call
args: expr_or_star ("," expr_or_star)*
?expr_or_star: expr | STAR -> star | expr ("|" op)+ -> arg_pipeline | name "=" expr -> named_arg
            | (print_op | range_op) ("|" op)* -> arg_pipeline

datatable: "datatable" "(" col_decl ("," col_decl)* ")" "[" [dt_values] "]"
dt_values: dt_value ("," dt_value)* ","?
col_decl: name ":" TYPE_NAME
?dt_value: literal | dynamic_lit | ADD_OP NUMBER -> signed_number | ADD_OP TIMESPAN -> signed_timespan

dynamic_lit: "dynamic" "(" json ")"
?json: json_obj | json_arr | json_scalar | json_dynamic
// A dynamic literal inside another: dynamic({"X8": dynamic({...})}), the dynamic_to_json page's.
json_dynamic: "dynamic" "(" json ")"
json_obj: "{" [json_pairs] "}"
json_pairs: json_pair ("," json_pair)*
json_pair: string_lit ":" json
json_arr: "[" [json_items] "]"
json_items: json ("," json)*
json_scalar: NUMBER | ADD_OP NUMBER | string_lit | TRUE | FALSE | NULL | TYPED_LIT | TIMESPAN

literal: NUMBER -> number
       | TIMESPAN -> timespan
       | string_lit
       | TRUE -> true
       | FALSE -> false
       | TYPED_LIT -> typed_lit
?string_lit: STRING+ -> string
name: NAME | "[" STRING "]"
member_name: NAME | "[" STRING "]"
OPT_KW.5: /(kind|flags|bagexpansion|withsource|isfuzzy|with_itemindex|with_source|hint\.[A-Za-z_]+)(?=[ \t\n]*=[^=~])/

_SEMI: ";"
PARSE_KW: "parse-where" | "parse"
SORT_DIR.2: /(asc|desc)(?![A-Za-z0-9_])/
NULLS_KW.2: /nulls(?![A-Za-z0-9_])/
NULLS_POS.2: /(first|last)(?![A-Za-z0-9_])/
MATCHES_KW.2: /matches(?![A-Za-z0-9_])/
TRUE.2: /true(?![A-Za-z0-9_])/
FALSE.2: /false(?![A-Za-z0-9_])/
NULL.2: /null(?![A-Za-z0-9_])/
STAR: "*"
CMP_OP: "==" | "!=" | "<>" | "<=" | ">=" | "<" | ">" | "=~" | "!~"
STR_OP.2: /!?(contains_cs|contains|has_cs|hasprefix_cs|hasprefix|hassuffix_cs|hassuffix|has|startswith_cs|startswith|endswith_cs|endswith)(?![A-Za-z0-9_])/
IN_OP.3: /!?(in~?|has_any|has_all)(?![A-Za-z0-9_])/
BETWEEN_OP.2: /!?between(?![A-Za-z0-9_])/
ADD_OP: "+" | "-"
MUL_OP: "/" | "%"
TYPE_NAME.3: /(@TYPE_WORDS@)(?![A-Za-z0-9_(])/
TYPED_LIT.3: /(bool|boolean|int|long|real|double|decimal|datetime|date|timespan|time|guid)[ \t]*\([^()]*\)/
TIMESPAN.3: /[0-9]+(\.[0-9]+)?(days|day|d|hours|hour|hrs|hr|h|minutes|minute|min|m|seconds|second|sec|s|milliseconds|millisecond|milli|ms|microseconds|microsecond|micro|ticks|tick|nanoseconds|nanosecond|nano)(?![A-Za-z0-9_])/
NUMBER.2: /(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)(?![A-Za-z_])/
STRING.2: /[hH]?("([^"\\\n]|\\.)*"|'([^'\\\n]|\\.)*')/ | /[hH]?@("([^"\n]|"")*"|'([^'\n]|'')*')/ | /```(.|\n)*?```/
// Not right after a name, a number or a closing bracket: there `d*50*r` is a product, not `d` and `*50*r`.
WILDCARD_NAME.2: /(?<![A-Za-z0-9_)\]])[A-Za-z_*][A-Za-z0-9_*]*\*[A-Za-z0-9_*]*/
NAME: /\$?[A-Za-z_][A-Za-z0-9_]*/

// Unicode spaces that editors and web pages leave in copied queries count as white space.
WS: /[ \t\f\r\n\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+/
%ignore WS
COMMENT: /\/\/[^\n]*/
%ignore COMMENT
"""
GRAMMAR: Final = _GRAMMAR.replace("@TYPE_WORDS@", "|".join(sorted(TYPE_WORDS, key=lambda w: (-len(w), w))))
