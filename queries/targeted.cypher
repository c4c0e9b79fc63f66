// name: targeted
// question: What did an actor target (strike, shell, raid), and in how many articles is it reported?
// param: actor = ""   (the attacker: a name, an alias or an IRI; empty means every actor)
MATCH (a)-[r:TARGETED]->(t)
WHERE $actor = '' OR a.uri = $actor OR toLower(a.name) = toLower($actor)
   OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($actor))
RETURN a.name AS actor, t.name AS target, size(r.articles) AS articles
ORDER BY actor, target
