// name: leaders
// question: Who leads which group, government or state, and in how many articles is it reported?
// param: group = ""   (the led group: a name, an alias or an IRI; empty means every group)
MATCH (l)-[r:LEADER_OF]->(o)
WHERE $group = '' OR o.uri = $group OR toLower(o.name) = toLower($group)
   OR any(alias IN coalesce(o.aliases, []) WHERE toLower(alias) = toLower($group))
RETURN l.name AS leader, o.name AS group, size(r.articles) AS articles
ORDER BY group, leader
