// Facts of one relationship type that cannot exist yet: one end is a node this run
// created and no earlier batch of the run wrote the fact. Ends are found by element id;
// the row carries the fact's evidence and summary as merge_facts would store them. A
// retried transaction merges these rows instead (the first attempt may have committed).
UNWIND $rows AS row
MATCH (s) WHERE elementId(s) = row.s
MATCH (o) WHERE elementId(o) = row.o
CREATE (s)-[r:`REL_TYPE`]->(o)
SET r = row.props
