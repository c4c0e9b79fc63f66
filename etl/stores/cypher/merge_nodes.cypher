// Entities: one node per IRI, labelled with its class, the superclasses and Resource.
// Returns each node's element id, and whether this transaction created it (a new node
// has no relationships yet, so its facts can be created rather than merged).
UNWIND $rows AS row
OPTIONAL MATCH (held:Resource {uri: row.uri})
WITH row, held IS NULL AS fresh
MERGE (n:Resource {uri: row.uri})
SET n.name = row.name, n.aliases = row.aliases, n.wikidata = row.wikidata, n:$(row.labels)
RETURN row.uri AS uri, elementId(n) AS ref, fresh
