// Facts of one relationship type: one relationship per (subject, type, object), carrying
// its evidence as parallel lists (article, sentence, confidence) and the distinct
// supporting articles. `REL_TYPE` is replaced by a relationship type of the ontology
// (checked against it, never user text): Neo4j 5.26 plans a dynamic type `$(...)` in
// MERGE once and reuses the plan for other types, which merges facts under wrong types.
UNWIND $rows AS row
MATCH (s:Resource {uri: row.subject})
MATCH (o:Resource {uri: row.object})
MERGE (s)-[r:`REL_TYPE`]->(o)
ON CREATE SET r.uri = row.predicate, r.articles = [], r.evidenceArticles = [],
              r.evidenceSentences = [], r.evidenceConfidences = [], r.evidencePublished = []
SET r.articles = r.articles + [a IN row.distinct WHERE NOT a IN r.articles],
    r.evidenceArticles = r.evidenceArticles + row.articles,
    r.evidenceSentences = r.evidenceSentences + row.sentences,
    r.evidenceConfidences = r.evidenceConfidences + row.confidences,
    r.evidencePublished = r.evidencePublished + row.published
SET r.evidenceCount = size(r.evidenceSentences),
    r.confidence = reduce(m = 0.0, c IN r.evidenceConfidences | CASE WHEN c > m THEN c ELSE m END),
    r.firstSeen = reduce(m = null, d IN r.evidencePublished |
                         CASE WHEN d = '' OR d >= m THEN m ELSE d END),
    r.lastSeen = reduce(m = null, d IN r.evidencePublished |
                        CASE WHEN d = '' OR d <= m THEN m ELSE d END)
