// Take back the evidence these articles gave; a fact no article supports any more goes.
// Facts an article supports join entities it mentions, so the search starts there.
UNWIND $ids AS id
MATCH (a:Article {id: id})-[:MENTIONS]->(s)-[r]->(o)<-[:MENTIONS]-(a)
WHERE id IN r.articles
WITH DISTINCT r, id,
     [i IN range(0, size(r.evidenceArticles) - 1) WHERE r.evidenceArticles[i] <> id] AS keep
SET r.articles = [x IN r.articles WHERE x <> id],
    r.evidenceArticles = [i IN keep | r.evidenceArticles[i]],
    r.evidenceSentences = [i IN keep | r.evidenceSentences[i]],
    r.evidenceConfidences = [i IN keep | r.evidenceConfidences[i]],
    r.evidencePublished = [i IN keep | r.evidencePublished[i]]
SET r.evidenceCount = size(r.evidenceSentences),
    r.confidence = reduce(m = 0.0, c IN r.evidenceConfidences | CASE WHEN c > m THEN c ELSE m END),
    r.firstSeen = reduce(m = null, d IN r.evidencePublished |
                         CASE WHEN d = '' OR d >= m THEN m ELSE d END),
    r.lastSeen = reduce(m = null, d IN r.evidencePublished |
                        CASE WHEN d = '' OR d <= m THEN m ELSE d END)
WITH r
WHERE size(r.articles) = 0
DELETE r
