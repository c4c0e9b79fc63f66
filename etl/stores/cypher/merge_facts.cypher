// Facts of one relationship type: one relationship per (subject, type, object), carrying
// its evidence as parallel lists (article, sentence, confidence), the distinct supporting
// articles and a summary (evidence count, highest confidence, first and last seen). Each
// row holds the batch's evidence for one fact and its summary, computed by the loader: a
// new fact takes them as they are, a known one adds them to its own.
// `REL_TYPE` is replaced by a relationship type of the ontology (checked against it,
// never user text): Neo4j 5.26 plans a dynamic type `$(...)` in MERGE once and reuses the
// plan for other types, which merges facts under wrong types.
// A fact that names one of the row's articles already has the row's evidence (an
// article's evidence comes in one batch, its old evidence retracted first): the driver
// ran the transaction again after a commit it did not see. It is left alone.
UNWIND $rows AS row
MATCH (s) WHERE elementId(s) = row.s
MATCH (o) WHERE elementId(o) = row.o
OPTIONAL MATCH (s)-[done:`REL_TYPE`]->(o)
  WHERE any(a IN row.props.articles WHERE a IN done.articles)
WITH s, o, row WHERE done IS NULL
MERGE (s)-[r:`REL_TYPE`]->(o)
ON CREATE SET r = row.props
ON MATCH SET
  r.articles = r.articles + [a IN row.props.articles WHERE NOT a IN r.articles],
  r.evidenceArticles = r.evidenceArticles + row.props.evidenceArticles,
  r.evidenceSentences = r.evidenceSentences + row.props.evidenceSentences,
  r.evidenceConfidences = r.evidenceConfidences + row.props.evidenceConfidences,
  r.evidenceCount = r.evidenceCount + row.props.evidenceCount,
  r.confidence = CASE WHEN row.props.confidence > r.confidence
                      THEN row.props.confidence ELSE r.confidence END,
  r.firstSeen = CASE WHEN r.firstSeen IS NULL OR row.props.firstSeen < r.firstSeen
                     THEN coalesce(row.props.firstSeen, r.firstSeen) ELSE r.firstSeen END,
  r.lastSeen = CASE WHEN r.lastSeen IS NULL OR row.props.lastSeen > r.lastSeen
                    THEN coalesce(row.props.lastSeen, r.lastSeen) ELSE r.lastSeen END
