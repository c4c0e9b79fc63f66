// Who captured which place, and in how many articles it is reported.
// Parameters: none.
MATCH (a)-[r:CAPTURED]->(p)
RETURN a.name AS actor, p.name AS place, size(r.articles) AS articles
ORDER BY articles DESC, actor, place
