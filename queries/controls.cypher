// name: controls
// question: Which places does an actor control, and in how many articles is it reported?
// param: actor = ""   (the controlling actor: a name, an alias or an IRI; empty means every actor)
MATCH (a)-[r:CONTROLS]->(p)
WHERE $actor = '' OR a.uri = $actor OR toLower(a.name) = toLower($actor)
   OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($actor))
RETURN a.name AS actor, p.name AS place, size(r.articles) AS articles
ORDER BY actor, place
