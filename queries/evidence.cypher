// name: evidence
// question: Which articles and sentences support a fact, and how confident was the extractor?
// param: subject = "Hayat Tahrir al-Sham"   (the fact's subject: a name, an alias or an IRI; empty means any)
// param: predicate = "captured"   (a property such as captured, or its type CAPTURED, or its IRI; empty means any)
// param: object = "Aleppo"   (the fact's object: a name, an alias or an IRI; empty means any)
// note: One row per evidence sentence. A symmetric fact (alliedWith, foughtWith) is found from
// note: either end; with neither end given it is shown once, the end with the smaller IRI first.
MATCH (s)-[r]-(o)
WHERE type(r) <> 'MENTIONS'
  AND (startNode(r) = s OR type(r) IN ['ALLIED_WITH', 'FOUGHT_WITH'])
  AND ($subject = '' OR s.uri = $subject OR toLower(s.name) = toLower($subject)
       OR any(alias IN coalesce(s.aliases, []) WHERE toLower(alias) = toLower($subject)))
  AND ($predicate = '' OR r.uri = $predicate OR toLower(type(r)) = toLower($predicate)
       OR toLower(split(r.uri, '#')[1]) = toLower($predicate))
  AND ($object = '' OR o.uri = $object OR toLower(o.name) = toLower($object)
       OR any(alias IN coalesce(o.aliases, []) WHERE toLower(alias) = toLower($object)))
  AND (NOT type(r) IN ['ALLIED_WITH', 'FOUGHT_WITH'] OR $subject <> '' OR $object <> ''
       OR s.uri <= o.uri)
UNWIND range(0, size(r.evidenceArticles) - 1) AS i
OPTIONAL MATCH (article:Article {id: r.evidenceArticles[i]})
RETURN s.name AS subject, split(r.uri, '#')[1] AS predicate, o.name AS object,
       r.evidenceArticles[i] AS article, toString(article.published) AS published,
       r.evidenceSentences[i] AS sentence, r.evidenceConfidences[i] AS confidence
ORDER BY subject, predicate, object, article, sentence, confidence
