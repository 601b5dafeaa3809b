"""Documented examples of the graph operator and graph function pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>). Kusto does
not order graph-match's matches, and the pages print them in no particular order: the rows here are
the page's rows, in the order the engine finds the matches. Left out: make-graph #3 (partitioned-by;
its where clause calls geo_distance_2points, another area's function), graph-to-table #3 (a query of
several tabular statements), graph-exploration-basics #3 and #4 (the help cluster's persistent
graph 'Simple'), node-degree-in #1 (the page prints a row of an employee its data lacks),
node-degree-out #2 and node-id #1 (the page's headers differ from the query's column names).
The pages repeat their sample tables: each ``let`` statement two or more examples share is one
constant here, the queries the pages' texts (trailing spaces dropped).
"""

from __future__ import annotations

from typing import Any

_CONNECTIONS = (
    "let connections = datatable(from_station:string, to_station:string, line:string)\n"
    "[\n"
    '  "Central", "North", "red",\n'
    '  "North", "Central", "red",\n'
    '  "Central", "South",  "red",\n'
    '  "South", "Central",  "red",\n'
    '  "South", "South-West", "red",\n'
    '  "South-West", "South", "red",\n'
    '  "South-West", "West", "red",\n'
    '  "West", "South-West", "red",\n'
    '  "Central", "East", "blue",\n'
    '  "East", "Central", "blue",\n'
    '  "Central", "West", "blue",\n'
    '  "West", "Central", "blue",\n'
    "];\n"
)
_STATIONS = (
    "let stations = datatable(station:string, wifi: bool)\n"
    "[\n"
    '  "Central", true,\n'
    '  "North", false,\n'
    '  "South", false,\n'
    '  "South-West", true,\n'
    '  "West", true,\n'
    '  "East", false\n'
    "];\n"
)
_LOCATIONS = (
    "// Locations table (nodes)\n"
    "let Locations = datatable(LocationName: string, LocationType: string) [\n"
    '    "New York", "City",\n'
    '    "San Francisco", "City",\n'
    '    "Chicago", "City",\n'
    '    "Los Angeles", "City",\n'
    '    "Seattle", "Warehouse"\n'
    "];\n"
)
_ROUTES = (
    "// Routes table (edges)\n"
    "let Routes = datatable(OriginLocationID: string, DestinationLocationID: string, TransportMode: string) [\n"
    '    "New York", "San Francisco", "Truck",\n'
    '    "New York", "Chicago", "Train",\n'
    '    "San Francisco", "Los Angeles", "Truck",\n'
    '    "Chicago", "Seattle", "Train",\n'
    '    "Los Angeles", "New York", "Truck",\n'
    '    "Seattle", "San Francisco", "Train"\n'
    "];\n"
)
_CHILD_OF = (
    "let ChildOf = datatable(child:string, parent:string)\n"
    "[\n"
    '  "Alice", "Bob",\n'
    '  "Carol", "Alice",\n'
    '  "Carol", "Dave",\n'
    '  "Greg", "Alice",\n'
    '  "Greg", "Dave",\n'
    '  "Howard", "Alice",\n'
    '  "Howard", "Dave",\n'
    '  "Eve", "Frank",\n'
    '  "Frank", "Mallory",\n'
    '  "Eve", "Kirk",\n'
    "];\n"
)
_EMPLOYEES = (
    "let employees = datatable(name:string, age:long)\n"
    "[\n"
    '  "Alice", 32,\n'
    '  "Bob", 31,\n'
    '  "Eve", 27,\n'
    '  "Joe", 29,\n'
    '  "Chris", 45,\n'
    '  "Alex", 35,\n'
    '  "Ben", 23,\n'
    '  "Richard", 39,\n'
    "];\n"
)
_REPORTS = (
    "let reports = datatable(employee:string, manager:string)\n"
    "[\n"
    '  "Bob", "Alice",\n'
    '  "Chris", "Alice",\n'
    '  "Eve", "Bob",\n'
    '  "Ben", "Chris",\n'
    '  "Joe", "Alice",\n'
    '  "Richard", "Bob"\n'
    "];\n"
)
_ENTITIES = (
    "let Entities = datatable(name:string, type:string, age:long)\n"
    "[\n"
    '  "Alice", "Person", 23,\n'
    '  "Bob", "Person", 31,\n'
    '  "Eve", "Person", 17,\n'
    '  "Mallory", "Person", 29,\n'
    '  "Apollo", "System", 99\n'
    "];\n"
)
_ACTIONS = (
    "let Actions = datatable(source:string, destination:string, action_type:string)\n"
    "[\n"
    '  "Alice", "Bob", "communicatesWith",\n'
    '  "Alice", "Apollo", "trusts",\n'
    '  "Bob", "Apollo", "hasPermission",\n'
    '  "Eve", "Alice", "attacks",\n'
    '  "Mallory", "Alice", "attacks",\n'
    '  "Mallory", "Bob", "attacks"\n'
    "];\n"
)
_EDGES = (
    "let edges = datatable(source:string, destination:string, edge_type:string)\n"
    "[\n"
    '\t"Alice", "Bob", "communicatesWith",\n'
    '\t"Alice", "Trent", "trusts",\n'
    '\t"Bob", "Trent", "hasPermission",\n'
    '\t"Eve", "Alice", "attacks",\n'
    '\t"Mallory", "Alice", "attacks",\n'
    '\t"Mallory", "Bob", "attacks"\n'
    "];\n"
)
_EMPLOYEES_2 = (
    "let employees = datatable(name:string, role:string, age:long)\n"
    "[\n"
    '  "Alice", "CEO", 45,\n'
    '  "Bob", "Engineering Manager", 35,\n'
    '  "Carol", "Marketing Manager", 38,\n'
    '  "Dave", "Developer", 28,\n'
    '  "Eve", "Developer", 26,\n'
    '  "Frank", "Marketing Specialist", 30\n'
    "];\n"
)
_REPORTS_2 = (
    "let reports = datatable(employee:string, manager:string)\n"
    "[\n"
    '  "Bob", "Alice",\n'
    '  "Carol", "Alice",\n'
    '  "Dave", "Bob",\n'
    '  "Eve", "Bob",\n'
    '  "Frank", "Carol"\n'
    "];\n"
)

DOC_EXAMPLES_GRAPH: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "all-graph-function.md#1",
        _CONNECTIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with_node_id=station\n"
            "| graph-match (start)-[outward*1..5]->(destination)-[return*1..5]->(start)\n"
            "  where start.station != destination.station and\n"
            '        all(outward, line == "red") and\n'
            '        all(return, line == "blue")\n'
            "  project from = start.station,\n"
            '          outward_stations = strcat_array(map(inner_nodes(outward), station), "->"),\n'
            "          to = destination.station,\n"
            '          return_stations = strcat_array(map(inner_nodes(return), station), "->"),\n'
            "          back=start.station"
        ),
        ["from", "outward_stations", "to", "return_stations", "back"],
        [
            ["Central", "North->Central->South->South-West", "West", "", "Central"],
            ["Central", "North->Central->South->South-West", "West", "Central->East", "Central"],
            ["Central", "South->South-West", "West", "", "Central"],
            ["Central", "South->South-West", "West", "Central->East", "Central"],
            ["West", "South-West->South", "Central", "East->Central", "West"],
            ["West", "South-West->South", "Central", "", "West"],
            ["West", "South-West->South->Central->North", "Central", "East->Central", "West"],
            ["West", "South-West->South->Central->North", "Central", "", "West"],
        ],
    ),
    (
        "all-graph-function.md#2",
        _CONNECTIONS
        + _STATIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with stations on station\n"
            "| graph-shortest-paths (start)-[connections*2..5]->(destination)\n"
            '  where start.station == "South-West" and\n'
            '        destination.station == "North" and\n'
            "        all(inner_nodes(connections), wifi)\n"
            "  project from = start.station,\n"
            '          stations = strcat_array(map(inner_nodes(connections), station), "->"),\n'
            "          to = destination.station"
        ),
        ["from", "stations", "to"],
        [["South-West", "West->Central", "North"]],
    ),
    (
        "any-graph-function.md#1",
        _LOCATIONS
        + _ROUTES
        + (
            "Routes\n"
            "| make-graph OriginLocationID --> DestinationLocationID with Locations on LocationName\n"
            "| graph-match (src)-[route*1..2]->(dest)\n"
            '  where any(route, TransportMode == "Train")\n'
            "  project src.LocationName,\n"
            "        dest.LocationName,\n"
            "        route_TransportModes = map(route, TransportMode)"
        ),
        ["src_LocationName", "dest_LocationName", "route_TransportModes"],
        [
            ["New York", "Chicago", ["Train"]],
            ["New York", "Seattle", ["Train", "Train"]],
            ["Chicago", "Seattle", ["Train"]],
            ["Chicago", "San Francisco", ["Train", "Train"]],
            ["Los Angeles", "Chicago", ["Truck", "Train"]],
            ["Seattle", "San Francisco", ["Train"]],
            ["Seattle", "Los Angeles", ["Train", "Truck"]],
        ],
    ),
    (
        "any-graph-function.md#2",
        _CONNECTIONS
        + _STATIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with stations on station\n"
            "| graph-match cycles=none  (start)-[connections*2..5]->(destination)\n"
            '  where start.station == "South-West" and\n'
            '        destination.station == "North" and\n'
            "        any(inner_nodes(connections), wifi)\n"
            "  project from = start.station,\n"
            '          stations = strcat_array(map(inner_nodes(connections), station), "->"),\n'
            "          to = destination.station"
        ),
        ["from", "stations", "to"],
        [["South-West", "South->Central", "North"], ["South-West", "West->Central", "North"]],
    ),
    (
        "graph-best-practices.md#1",
        "let allEmployees = datatable(organization: string, name:string, age:long)\n"
        "[\n"
        '  "R&D", "Alice", 32,\n'
        '  "R&D","Bob", 31,\n'
        '  "R&D","Eve", 27,\n'
        '  "R&D","Mallory", 29,\n'
        '  "Marketing", "Alex", 35\n'
        "];\n"
        "let allReports = datatable(employee:string, manager:string, modificationDate: datetime)\n"
        "[\n"
        '  "Bob", "Alice", datetime(2022-05-23),\n'
        '  "Bob", "Eve", datetime(2023-01-01),\n'
        '  "Eve", "Mallory", datetime(2022-05-23),\n'
        '  "Alice", "Dave", datetime(2022-05-23)\n'
        "];\n"
        "let filteredEmployees =\n"
        "    allEmployees\n"
        '    | where organization == "R&D"\n'
        "    | project-away age, organization;\n"
        "let filteredReports =\n"
        "    allReports\n"
        "    | summarize arg_max(modificationDate, *) by employee\n"
        "    | project-away modificationDate;\n"
        "filteredReports\n"
        "| make-graph employee --> manager with filteredEmployees on name\n"
        "| graph-match (employee)-[hasManager*2..5]-(manager)\n"
        '  where employee.name == "Bob"\n'
        "  project employee = employee.name, topManager = manager.name",
        ["employee", "topManager"],
        [["Bob", "Mallory"]],
    ),
    (
        "graph-mark-components-operator.md#1",
        _CHILD_OF
        + (
            "ChildOf\n"
            "| make-graph child --> parent with_node_id=name\n"
            "| graph-mark-components with_component_id = family\n"
            "| graph-to-table nodes"
        ),
        ["name", "family"],
        [
            ["Alice", 0],
            ["Bob", 0],
            ["Carol", 0],
            ["Dave", 0],
            ["Greg", 0],
            ["Howard", 0],
            ["Eve", 1],
            ["Frank", 1],
            ["Mallory", 1],
            ["Kirk", 1],
        ],
    ),
    (
        "graph-mark-components-operator.md#2",
        _CHILD_OF
        + (
            "ChildOf\n"
            "| make-graph child --> parent with_node_id=name\n"
            "| graph-mark-components with_component_id = family\n"
            "| graph-match (descendant)-[childOf*1..5]->(ancestor)\n"
            "  project name = ancestor.name, lineage = map(childOf, child), family = ancestor.family\n"
            "| summarize (generations, name) = arg_max(array_length(lineage),name) by family"
        ),
        ["family", "generations", "name"],
        [[0, 2, "Bob"], [1, 2, "Mallory"]],
    ),
    (
        "graph-match-operator.md#1",
        _EMPLOYEES
        + _REPORTS
        + (
            "reports\n"
            "| make-graph employee --> manager with employees on name\n"
            "| graph-match (alice)<-[reports*1..5]-(employee)\n"
            '  where alice.name == "Alice" and employee.age < 30\n'
            "  project employee = employee.name, age = employee.age, reportingPath = map(reports, manager)"
        ),
        ["employee", "age", "reportingPath"],
        [["Eve", 27, ["Alice", "Bob"]], ["Ben", 23, ["Alice", "Chris"]], ["Joe", 29, ["Alice"]]],
    ),
    (
        "graph-match-operator.md#2",
        _ENTITIES
        + _ACTIONS
        + (
            "Actions\n"
            "| make-graph source --> destination with Entities on name\n"
            "| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo)\n"
            '  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission"\n'
            "  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"
        ),
        ["Attacker", "Compromised", "System"],
        [["Mallory", "Bob", "Apollo"]],
    ),
    (
        "graph-match-operator.md#3",
        _ENTITIES
        + _ACTIONS
        + (
            "Actions\n"
            "| make-graph source --> destination with Entities on name\n"
            "| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo), (compromised)-[communicates]-(alice)\n"
            '  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission" and alice.name == "Alice"\n'
            "  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"
        ),
        ["Attacker", "Compromised", "System"],
        [["Mallory", "Bob", "Apollo"]],
    ),
    (
        "graph-shortest-paths-operator.md#1",
        _CONNECTIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with_node_id=station\n"
            "| graph-shortest-paths (start)-[connections*1..5]->(destination)\n"
            '  where start.station == "South-West" and destination.station == "North"\n'
            "  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"
        ),
        ["from", "path", "line", "to"],
        [["South-West", ["South", "Central", "North"], ["red", "red", "red"], "North"]],
    ),
    (
        "graph-shortest-paths-operator.md#2",
        _CONNECTIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with_node_id=station\n"
            "| graph-shortest-paths output=all (start)-[connections*1..5]->(destination)\n"
            '  where start.station == "South-West" and destination.station == "North"\n'
            "  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"
        ),
        ["from", "path", "line", "to"],
        [
            ["South-West", ["South", "Central", "North"], ["red", "red", "red"], "North"],
            ["South-West", ["West", "Central", "North"], ["red", "blue", "red"], "North"],
        ],
    ),
    (
        "graph-to-table-operator.md#1",
        "let nodes = datatable(name:string, type:string, age:long)\n"
        "[\n"
        '\t"Alice", "Person", 23,\n'
        '\t"Bob", "Person", 31,\n'
        '\t"Eve", "Person", 17,\n'
        '\t"Mallory", "Person", 29,\n'
        '\t"Trent", "System", 99\n'
        "];\n"
        + _EDGES
        + (
            "edges\n"
            "| make-graph source --> destination with nodes on name\n"
            "| graph-to-table edges with_source_id=SourceId with_target_id=TargetId"
        ),
        ["SourceId", "TargetId", "source", "destination", "edge_type"],
        [
            [-3122868243544336885, -7133945255344544237, "Alice", "Bob", "communicatesWith"],
            [-3122868243544336885, 2533909231875758225, "Alice", "Trent", "trusts"],
            [-7133945255344544237, 2533909231875758225, "Bob", "Trent", "hasPermission"],
            [4363395278938690453, -3122868243544336885, "Eve", "Alice", "attacks"],
            [3855580634910899594, -3122868243544336885, "Mallory", "Alice", "attacks"],
            [3855580634910899594, -7133945255344544237, "Mallory", "Bob", "attacks"],
        ],
    ),
    (
        "graph-to-table-operator.md#2",
        "let nodes = datatable(name:string, type:string, age:long)\n"
        "[\n"
        '\t"Alice", "Person", 23,\n'
        '\t"Bob", "Person", 31,\n'
        '\t"Eve", "Person", 17,\n'
        '\t"Trent", "System", 99\n'
        "];\n"
        + _EDGES
        + (
            "edges\n"
            "| make-graph source --> destination with nodes on name\n"
            "| graph-to-table nodes with_node_id=NodeId"
        ),
        ["NodeId", "name", "type", "age"],
        [
            [-3122868243544336885, "Alice", "Person", 23],
            [-7133945255344544237, "Bob", "Person", 31],
            [4363395278938690453, "Eve", "Person", 17],
            [2533909231875758225, "Trent", "System", 99],
            [3855580634910899594, "Mallory", "", None],
        ],
    ),
    (
        "inner-nodes-graph-function.md#1",
        _EMPLOYEES
        + _REPORTS
        + (
            "reports\n"
            "| make-graph employee --> manager with employees on name\n"
            "| graph-match (manager)<-[reports*1..5]-(employee)\n"
            '  where manager.name == "Alice" and all(inner_nodes(reports), age < 40)\n'
            "  project employee = employee.name, manager = manager.name, reportingPath = map(inner_nodes(reports), name)"
        ),
        ["employee", "manager", "reportingPath"],
        [
            ["Bob", "Alice", []],
            ["Eve", "Alice", ["Bob"]],
            ["Richard", "Alice", ["Bob"]],
            ["Chris", "Alice", []],
            ["Joe", "Alice", []],
        ],
    ),
    (
        "make-graph-operator.md#1",
        "let nodes = datatable(name:string, type:string, age:int)\n"
        "[\n"
        '  "Alice", "Person", 23,\n'
        '  "Bob", "Person", 31,\n'
        '  "Eve", "Person", 17,\n'
        '  "Mallory", "Person", 29,\n'
        '  "Trent", "System", 99\n'
        "];\n"
        "let edges = datatable(Source:string, Destination:string, edge_type:string)\n"
        "[\n"
        '  "Alice", "Bob", "communicatesWith",\n'
        '  "Alice", "Trent", "trusts",\n'
        '  "Bob", "Trent", "hasPermission",\n'
        '  "Eve", "Alice", "attacks",\n'
        '  "Mallory", "Alice", "attacks",\n'
        '  "Mallory", "Bob", "attacks"\n'
        "];\n"
        "edges\n"
        "| make-graph Source --> Destination with nodes on name\n"
        "| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent)\n"
        '  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission"\n'
        "  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name",
        ["Attacker", "Compromised", "System"],
        [["Mallory", "Bob", "Trent"]],
    ),
    (
        "make-graph-operator.md#2",
        "let edges = datatable(source:string, destination:string, edge_type:string)\n"
        "[\n"
        '  "Alice", "Bob", "communicatesWith",\n'
        '  "Alice", "Trent", "trusts",\n'
        '  "Bob", "Trent", "hasPermission",\n'
        '  "Eve", "Alice", "attacks",\n'
        '  "Mallory", "Alice", "attacks",\n'
        '  "Mallory", "Bob", "attacks"\n'
        "];\n"
        "edges\n"
        "| make-graph source --> destination with_node_id=name\n"
        "| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent)\n"
        '  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission"\n'
        "  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name",
        ["Attacker", "Compromised", "System"],
        [["Mallory", "Bob", "Trent"]],
    ),
    (
        "map-graph-function.md#1",
        _CONNECTIONS
        + (
            "connections\n"
            "| make-graph from_station --> to_station with_node_id=station\n"
            "| graph-shortest-paths (start)-[connections*1..5]->(destination)\n"
            '  where start.station == "South-West" and destination.station == "North"\n'
            '  project from = start.station, path = map(connections, strcat(to_station, " (", line, ")")), to = destination.station'
        ),
        ["from", "path", "to"],
        [["South-West", ["South (red)", "Central (red)", "North (red)"], "North"]],
    ),
    (
        "map-graph-function.md#2",
        _CONNECTIONS
        + (
            "let stations = datatable(station:string, wifi:bool)\n"
            "[\n"
            '  "Central", true,\n'
            '  "North", false,\n'
            '  "South", false,\n'
            '  "South-West", true,\n'
            '  "West", true,\n'
            '  "East", false\n'
            "];\n"
            "connections\n"
            "| make-graph from_station --> to_station with stations on station\n"
            "| graph-match cycles=none (start)-[connections*1..5]->(destination)\n"
            '  where start.station == "South-West" and destination.station == "East"\n'
            '  project stopovers = strcat_array(map(inner_nodes(connections), station), "->"),\n'
            '          stopovers_with_wifi = set_intersect(map(inner_nodes(connections), station), map(inner_nodes(connections), iff(wifi, station, "")))'
        ),
        ["stopovers", "stopovers_with_wifi"],
        [["South->Central", ["Central"]], ["West->Central", ["West", "Central"]]],
    ),
    (
        "node-degree-out.md#1",
        _LOCATIONS
        + _ROUTES
        + (
            "Routes\n"
            "| make-graph OriginLocationID --> DestinationLocationID with Locations on LocationName\n"
            "| graph-match (src)-[route*1..2]->(dest)\n"
            "project src.LocationName,\n"
            "        dest.LocationName,\n"
            "        node_degree_out(src),\n"
            "        route_TransportModes = map(route, TransportMode),\n"
            "        route_nodes_degree_out = map(inner_nodes(route), node_degree_out())"
        ),
        [
            "src_LocationName",
            "dest_LocationName",
            "node_degree_out",
            "route_TransportModes",
            "route_nodes_degree_out",
        ],
        [
            ["New York", "San Francisco", 2, ["Truck"], []],
            ["New York", "Los Angeles", 2, ["Truck", "Truck"], [1]],
            ["New York", "Chicago", 2, ["Train"], []],
            ["New York", "Seattle", 2, ["Train", "Train"], [1]],
            ["San Francisco", "Los Angeles", 1, ["Truck"], []],
            ["San Francisco", "New York", 1, ["Truck", "Truck"], [1]],
            ["Chicago", "Seattle", 1, ["Train"], []],
            ["Chicago", "San Francisco", 1, ["Train", "Train"], [1]],
            ["Los Angeles", "New York", 1, ["Truck"], []],
            ["Los Angeles", "San Francisco", 1, ["Truck", "Truck"], [2]],
            ["Los Angeles", "Chicago", 1, ["Truck", "Train"], [2]],
            ["Seattle", "San Francisco", 1, ["Train"], []],
            ["Seattle", "Los Angeles", 1, ["Train", "Truck"], [1]],
        ],
    ),
    (
        "tutorials/your-first-graph.md#1",
        "// Create sample employee data\n"
        "let employees = datatable(name:string, role:string, age:long)\n"
        "[\n"
        '  "Alice", "CEO", 45,\n'
        '  "Bob", "Engineering Manager", 35,\n'
        '  "Carol", "Marketing Manager", 38,\n'
        '  "Dave", "Developer", 28,\n'
        '  "Eve", "Developer", 26,\n'
        '  "Frank", "Marketing Specialist", 30\n'
        "];\n"
        "// Create reporting relationships\n"
        "let reports = datatable(employee:string, manager:string)\n"
        "[\n"
        '  "Bob", "Alice",\n'
        '  "Carol", "Alice",\n'
        '  "Dave", "Bob",\n'
        '  "Eve", "Bob",\n'
        '  "Frank", "Carol"\n'
        "];\n"
        "// Build the graph and explore it\n"
        "reports\n"
        "| make-graph employee --> manager with employees on name\n"
        "| graph-to-table nodes",
        ["name", "role", "age"],
        [
            ["Alice", "CEO", 45],
            ["Bob", "Engineering Manager", 35],
            ["Carol", "Marketing Manager", 38],
            ["Dave", "Developer", 28],
            ["Eve", "Developer", 26],
            ["Frank", "Marketing Specialist", 30],
        ],
    ),
    (
        "tutorials/your-first-graph.md#2",
        _EMPLOYEES_2
        + _REPORTS_2
        + (
            "reports\n"
            "| make-graph employee --> manager with employees on name\n"
            "| graph-match (alice)<-[reports]-(employee)\n"
            '  where alice.name == "Alice"\n'
            "  project employee = employee.name, role = employee.role, age = employee.age"
        ),
        ["employee", "role", "age"],
        [["Bob", "Engineering Manager", 35], ["Carol", "Marketing Manager", 38]],
    ),
    (
        "tutorials/your-first-graph.md#3",
        _EMPLOYEES_2
        + _REPORTS_2
        + (
            "reports\n"
            "| make-graph employee --> manager with employees on name\n"
            "| graph-match (alice)<-[reports*1..3]-(employee)\n"
            '  where alice.name == "Alice"\n'
            "  project employee = employee.name, role = employee.role, reportingLevels = array_length(reports)"
        ),
        ["employee", "role", "reportingLevels"],
        [
            ["Bob", "Engineering Manager", 1],
            ["Dave", "Developer", 2],
            ["Eve", "Developer", 2],
            ["Carol", "Marketing Manager", 1],
            ["Frank", "Marketing Specialist", 2],
        ],
    ),
]
