// What Neo4j holds of these entities already, so only new or changed ones are written.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
RETURN n.uri AS uri, n.name AS name, n.aliases AS aliases, n.wikidata AS wikidata,
       labels(n) AS labels
