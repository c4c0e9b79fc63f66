// Take back the evidence these articles gave; a fact no article supports any more goes,
// the others get their summary recomputed (first and last seen from their articles).
// Facts an article supports join entities it mentions, so the search starts there.
UNWIND $ids AS id
MATCH (a:Article {id: id})-[:MENTIONS]->(s)-[r]->(o)<-[:MENTIONS]-(a)
WHERE id IN r.articles
WITH DISTINCT r, id,
     [i IN range(0, size(r.evidenceArticles) - 1) WHERE r.evidenceArticles[i] <> id] AS keep
SET r.articles = [x IN r.articles WHERE x <> id],
    r.evidenceArticles = [i IN keep | r.evidenceArticles[i]],
    r.evidenceSentences = [i IN keep | r.evidenceSentences[i]],
    r.evidenceConfidences = [i IN keep | r.evidenceConfidences[i]]
SET r.evidenceCount = size(r.evidenceSentences),
    r.confidence = reduce(m = 0.0, c IN r.evidenceConfidences | CASE WHEN c > m THEN c ELSE m END)
WITH DISTINCT r
CALL (r) {
  WITH r WHERE size(r.articles) > 0
  OPTIONAL MATCH (b:Article) WHERE b.id IN r.articles AND b.published IS NOT NULL
  WITH r, min(b.published) AS first, max(b.published) AS last
  SET r.firstSeen = first, r.lastSeen = last
}
WITH r WHERE size(r.articles) = 0
DELETE r
