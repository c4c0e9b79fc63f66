// name: between
// question: Which places lie between two places?
// param: a = ""   (one end: a name, an alias or an IRI; empty means any place)
// param: b = ""   (the other end, likewise; empty means any place)
// note: "X lies between A and B" is stored as two facts, X locatedBetween A and X locatedBetween
// note: B. With no ends given, each pair of ends is one row, the end with the smaller IRI first.
MATCH (e1)<-[:LOCATED_BETWEEN]-(x)-[:LOCATED_BETWEEN]->(e2)
WHERE e1 <> e2
  AND ($a = '' OR e1.uri = $a OR toLower(e1.name) = toLower($a)
       OR any(alias IN coalesce(e1.aliases, []) WHERE toLower(alias) = toLower($a)))
  AND ($b = '' OR e2.uri = $b OR toLower(e2.name) = toLower($b)
       OR any(alias IN coalesce(e2.aliases, []) WHERE toLower(alias) = toLower($b)))
  AND ($a <> '' OR $b <> '' OR e1.uri < e2.uri)
RETURN x.name AS place, e1.name AS side_a, e2.name AS side_b
ORDER BY place, side_a, side_b
