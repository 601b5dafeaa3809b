// A small KQL highlighter and completer for the portal's editor (a plain textarea over a <pre>).
// Hand-written: no editor library is shipped. Completion offers the workspace's tables, the
// columns of the tables the query names, and the tabular operators after a pipe.
"use strict";
(function () {
  const OPERATORS = ["where", "project", "project-away", "project-rename", "project-reorder", "extend",
    "summarize", "take", "limit", "top", "sort by", "order by", "count", "distinct", "join", "union",
    "parse", "mv-expand", "make-series", "render", "let", "print", "range", "datatable", "as", "getschema",
    "search", "sample", "serialize", "evaluate", "lookup"];
  const KEYWORDS = new Set(["by", "on", "kind", "with", "and", "or", "not", "in", "between", "asc", "desc",
    "nulls", "first", "last", "true", "false", "step", "from", "to", "default", "inner", "leftouter",
    "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi", "innerunique",
    "timechart", "barchart", "piechart", "columnchart", "linechart", "areachart", "scatterchart",
    "table", "contains", "has", "startswith", "endswith", "matches", "regex", "has_any", "in~", "!in",
    "=~", "!~", "contains_cs", "has_cs", "typeof"].concat(OPERATORS.filter((o) => !o.includes(" "))));
  const FUNCTIONS = ["ago", "now", "bin", "count", "countif", "dcount", "sum", "sumif", "avg", "min", "max",
    "percentile", "make_list", "make_set", "arg_max", "arg_min", "tostring", "toint", "tolong", "toreal",
    "todouble", "todatetime", "totimespan", "tobool", "todynamic", "parse_json", "strlen", "substring",
    "strcat", "split", "replace_string", "extract", "iff", "iif", "case", "isnull", "isnotnull", "isempty",
    "isnotempty", "coalesce", "format_datetime", "startofday", "startofhour", "datetime_diff", "round",
    "floor", "array_length", "bag_keys", "pack", "bag_pack", "tolower", "toupper", "trim", "hash"];
  const FUNCTION_SET = new Set(FUNCTIONS);

  let schema = { tables: [] };
  function tableMap() {
    const m = new Map();
    for (const t of schema.tables) m.set(t.name.toLowerCase(), t);
    return m;
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  const TOKEN = /(\/\/[^\n]*)|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(\b\d+(?:\.\d+)?(?:[a-z]{1,2})?\b)|([A-Za-z_][A-Za-z0-9_\-]*)|(==|!=|<=|>=|=~|!~|[|=<>+\-*\/%!])|(\s+|.)/g;

  // The query as HTML with a class per token kind.
  function highlight(text) {
    const tables = tableMap();
    const columns = new Set();
    for (const t of referencedTables(text)) for (const c of t.columns) columns.add(c.name);
    let out = "";
    let m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      const [tok, com, str, num, word, op] = m;
      let cls = "";
      if (com) cls = "k-com";
      else if (str) cls = "k-str";
      else if (num) cls = "k-num";
      else if (word) {
        const lw = word.toLowerCase();
        if (tables.has(lw)) cls = "k-tab";
        else if (KEYWORDS.has(lw)) cls = "k-kw";
        else if (FUNCTION_SET.has(lw)) cls = "k-fn";
        else if (columns.has(word)) cls = "k-col";
      } else if (op) cls = "k-op";
      out += cls ? `<span class="${cls}">${escapeHtml(tok)}</span>` : escapeHtml(tok);
    }
    return out + "\n";
  }

  function referencedTables(text) {
    const tables = tableMap();
    const found = [];
    const words = text.match(/[A-Za-z_][A-Za-z0-9_]*/g) || [];
    for (const w of words) {
      const t = tables.get(w.toLowerCase());
      if (t && !found.includes(t)) found.push(t);
    }
    return found;
  }

  // Candidates for the word that ends at `pos`: [{label, detail, insert}], and where that word starts.
  function complete(text, pos) {
    const before = text.slice(0, pos);
    const m = before.match(/[A-Za-z_][A-Za-z0-9_\-]*$/);
    const prefix = m ? m[0] : "";
    const start = pos - prefix.length;
    const head = before.slice(0, start);
    const afterPipe = /\|\s*$/.test(head);
    const atStart = /^\s*$/.test(head) || /(;|\bjoin\b[^|]*\(|\bunion\b[^|]*|\blookup\b\s*\(?)\s*$/.test(head);
    const lp = prefix.toLowerCase();
    const out = [];
    const push = (label, detail) => {
      if (label.toLowerCase().startsWith(lp) && label !== prefix && !out.some((o) => o.label === label)) {
        out.push({ label, detail });
      }
    };
    if (afterPipe) {
      for (const o of OPERATORS) push(o, "operator");
    } else if (atStart) {
      for (const t of schema.tables) push(t.name, "table");
    } else {
      if (!prefix) return { start, items: [] };
      for (const t of referencedTables(text)) for (const c of t.columns) push(c.name, c.type);
      for (const f of FUNCTIONS) push(f, "function");
      for (const t of schema.tables) push(t.name, "table");
    }
    return { start, items: out.slice(0, 50) };
  }

  window.Kql = {
    setSchema(s) { schema = s || { tables: [] }; },
    highlight,
    complete,
  };
})();
