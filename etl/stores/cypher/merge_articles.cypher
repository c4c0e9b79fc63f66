// Articles and the entities they mention.
UNWIND $rows AS row
MERGE (a:Resource {uri: row.uri})
SET a:Article, a.id = row.id, a.name = coalesce(row.title, row.id), a.title = row.title,
    a.url = row.url, a.published = row.published, a.contentHash = row.hash
WITH a, row
UNWIND row.mentions AS uri
MATCH (e:Resource {uri: uri})
MERGE (a)-[:MENTIONS]->(e)
