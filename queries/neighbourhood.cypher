// name: neighbourhood
// question: What is an entity directly connected to, by which facts, and in how many articles?
// param: entity = "Hayat Tahrir al-Sham"   (a name, an alias or an IRI)
// note: direction is "out" when the entity is the fact's subject, "in" when it is the object,
// note: and "mutual" for a symmetric fact (alliedWith, foughtWith).
MATCH (e:Resource)
WHERE NOT e:Article
  AND (e.uri = $entity OR toLower(e.name) = toLower($entity)
       OR any(alias IN coalesce(e.aliases, []) WHERE toLower(alias) = toLower($entity)))
MATCH (e)-[r]-(n)
WHERE type(r) <> 'MENTIONS'
RETURN e.name AS entity,
       CASE WHEN type(r) IN ['ALLIED_WITH', 'FOUGHT_WITH'] THEN 'mutual'
            WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
       split(r.uri, '#')[1] AS predicate, n.name AS neighbour, size(r.articles) AS articles
ORDER BY entity, direction, predicate, neighbour
