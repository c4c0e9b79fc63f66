// Entities: one node per IRI, labelled with its class, the superclasses and Resource.
UNWIND $rows AS row
MERGE (n:Resource {uri: row.uri})
SET n.name = row.name, n.aliases = row.aliases, n.wikidata = row.wikidata, n:$(row.labels)
