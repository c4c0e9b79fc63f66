// name: captured
// question: Who captured which places, in how many articles, and when was it first and last reported?
// param: actor = ""   (the capturing actor: a name, an alias or an IRI; empty means every actor)
// note: first_reported and last_reported are the earliest and latest kg:published date of the
// note: supporting articles; both are empty when no supporting article carries a date.
MATCH (a)-[r:CAPTURED]->(p)
WHERE $actor = '' OR a.uri = $actor OR toLower(a.name) = toLower($actor)
   OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($actor))
OPTIONAL MATCH (article:Article) WHERE article.id IN r.articles
WITH a, p, r, min(toString(article.published)) AS first_reported,
     max(toString(article.published)) AS last_reported
RETURN a.name AS actor, p.name AS place, size(r.articles) AS articles,
       first_reported, last_reported
ORDER BY articles DESC, actor, place
