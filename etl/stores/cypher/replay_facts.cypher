// create_facts, when the driver runs its transaction again: the first attempt may have
// committed before the connection dropped, so merge instead of create and set the
// evidence outright (these facts have no other evidence than this batch's).
UNWIND $rows AS row
MATCH (s) WHERE elementId(s) = row.s
MATCH (o) WHERE elementId(o) = row.o
MERGE (s)-[r:`REL_TYPE`]->(o)
SET r = row.props
