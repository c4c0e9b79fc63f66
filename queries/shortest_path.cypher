// name: shortest_path
// question: How are two entities connected: what are the shortest chains of facts between them?
// param: source = "Russia"   (one end: a name, an alias or an IRI)
// param: target = "Syrian government"   (the other end: a name, an alias or an IRI)
// param: max_hops = 3   (the longest chain to look for, at most 3)
// note: Facts are followed in either direction. Every shortest chain is a row; path reads
// note: "A -captured-> B", "A <-targeted- B", or "A -alliedWith- B" for a symmetric fact.
// note: SPARQL has no shortest-path operator, so this searches chains of 1, 2 and 3 facts and
// note: keeps a longer chain only when no shorter one joins the same two entities.
MATCH (s:Resource), (t:Resource)
WHERE NOT s:Article AND NOT t:Article AND s <> t
  AND (s.uri = $source OR toLower(s.name) = toLower($source)
       OR any(alias IN coalesce(s.aliases, []) WHERE toLower(alias) = toLower($source)))
  AND (t.uri = $target OR toLower(t.name) = toLower($target)
       OR any(alias IN coalesce(t.aliases, []) WHERE toLower(alias) = toLower($target)))
// allShortestPaths, not shortestPath: when several chains are equally short, shortestPath
// returns an arbitrary one, and the SPARQL twin returns them all.
MATCH p = allShortestPaths((s)-[:ALLIED_WITH|FOUGHT_WITH|CAPTURED|TARGETED|LOCATED_BETWEEN
                                |CONTROLS|ADVANCING_TOWARDS|LEADER_OF|MEMBER_OF*..3]-(t))
WHERE length(p) <= $max_hops
WITH s, t, p, nodes(p) AS ns, relationships(p) AS rs
RETURN s.name AS source, t.name AS target, length(p) AS hops,
       reduce(text = s.name, i IN range(0, size(rs) - 1) |
         text + CASE WHEN type(rs[i]) IN ['ALLIED_WITH', 'FOUGHT_WITH']
                       THEN ' -' + split(rs[i].uri, '#')[1] + '- '
                     WHEN startNode(rs[i]) = ns[i]
                       THEN ' -' + split(rs[i].uri, '#')[1] + '-> '
                     ELSE ' <-' + split(rs[i].uri, '#')[1] + '- ' END
              + ns[i + 1].name) AS path
ORDER BY source, target, hops, path
