// name: fought
// question: Which actors fought each other, and in how many articles is the fighting reported?
// param: actor = ""   (one side of the fighting: a name, an alias or an IRI; empty means every pair)
// note: foughtWith is symmetric. With an actor, each of its opponents is one row with the actor
// note: first; without one, each pair is one row, the side with the smaller IRI first.
MATCH (a)-[r:FOUGHT_WITH]-(b)
WHERE CASE WHEN $actor = '' THEN a.uri <= b.uri
      ELSE a.uri = $actor OR toLower(a.name) = toLower($actor)
           OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($actor)) END
UNWIND r.articles AS article
WITH a, b, count(DISTINCT article) AS articles
RETURN a.name AS actor, b.name AS opponent, articles
ORDER BY actor, opponent
