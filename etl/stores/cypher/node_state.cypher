// What Neo4j holds of these entities already, so only new or changed ones are written,
// and each one's element id, by which this run's facts and mentions find it.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
RETURN n.uri AS uri, elementId(n) AS ref, n.name AS name, n.aliases AS aliases,
       n.wikidata AS wikidata, labels(n) AS labels
