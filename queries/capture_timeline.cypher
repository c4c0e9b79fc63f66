// name: capture_timeline
// question: In what order were captures reported, by the publication date of each supporting article?
// param: since = ""   (earliest publication date, YYYY-MM-DD, inclusive; empty means no lower bound)
// param: until = ""   (latest publication date, YYYY-MM-DD, inclusive; empty means no upper bound)
// note: One row per capture and supporting article. Articles without a date come last, and
// note: are left out as soon as since or until is given.
MATCH (a)-[r:CAPTURED]->(p)
UNWIND r.articles AS id
MATCH (article:Article {id: id})
WITH a, p, article, toString(article.published) AS published
WHERE ($since = '' OR substring(published, 0, 10) >= $since)
  AND ($until = '' OR substring(published, 0, 10) <= $until)
RETURN published, a.name AS actor, p.name AS place, article.id AS article, article.title AS title
ORDER BY published IS NULL, published, actor, place, article
