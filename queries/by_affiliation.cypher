// name: by_affiliation
// question: Which actors belong to which ethno-religious group, and in how many articles is it reported?
// param: group = ""   (the community: a name, an alias or an IRI; empty means every community)
// note: only memberOf facts whose object is a kg:EthnoReligiousGroup count; membership of
// note: armed groups or governments is left out.
MATCH (m)-[r:MEMBER_OF]->(c:EthnoReligiousGroup)
WHERE $group = '' OR c.uri = $group OR toLower(c.name) = toLower($group)
   OR any(alias IN coalesce(c.aliases, []) WHERE toLower(alias) = toLower($group))
RETURN c.name AS group, m.name AS actor, size(r.articles) AS articles
ORDER BY group, actor
