// name: allied_with
// question: Who is allied with whom, and in how many articles is the alliance reported?
// param: actor = ""   (one side of the alliance: a name, an alias or an IRI; empty means every pair)
// note: alliedWith is symmetric. With an actor, each of its allies is one row with the actor
// note: first; without one, each pair is one row, the side with the smaller IRI first.
MATCH (a)-[r:ALLIED_WITH]-(b)
WHERE CASE WHEN $actor = '' THEN a.uri <= b.uri
      ELSE a.uri = $actor OR toLower(a.name) = toLower($actor)
           OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($actor)) END
UNWIND r.articles AS article
WITH a, b, count(DISTINCT article) AS articles
RETURN a.name AS actor, b.name AS ally, articles
ORDER BY actor, ally
