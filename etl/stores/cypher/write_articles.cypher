// Articles and the entities they mention (by element id). An article's old MENTIONS were
// retracted first (or it is new), so they are created, not merged. The content hash is
// set last, by seal_articles, once the article's facts are written: an article without
// one is rewritten by the next run.
UNWIND $rows AS row
MERGE (a:Resource {uri: row.uri})
SET a:Article, a.id = row.id, a.name = coalesce(row.title, row.id), a.title = row.title,
    a.url = row.url, a.published = row.published, a.contentHash = null
WITH a, row
UNWIND row.mentions AS ref
MATCH (e) WHERE elementId(e) = ref
CREATE (a)-[:MENTIONS]->(e)
