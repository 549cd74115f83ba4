-- 0002_invoices.sql: agreements held in the database, monthly invoice bases
-- (fakturaunderlag) and the trail of their steps (sent, disputed, decided).
--
-- Agreements are versioned documents: (id, version) is never changed or
-- removed, so an invoice that names the versions it used can always be built
-- again. An invoice keeps the document it was built as (its lines and
-- exclusions, as canonical JSON), its cut-off instant and the agreement
-- versions; none of these may change (a trigger refuses it). Only the state,
-- the outcome and the amount owed after a decision move, and every move is a
-- row in invoice_steps, which is append-only.

CREATE TABLE agreements (
	id          TEXT NOT NULL,
	version     INTEGER NOT NULL CHECK (version >= 1),
	name        TEXT NOT NULL,
	region      TEXT NOT NULL,              -- 2-digit county code, '' for the national default
	model       TEXT NOT NULL,              -- 'per_night' | 'average'
	valid_from  INTEGER NOT NULL,           -- day number
	valid_to    INTEGER,                    -- day number (inclusive), NULL = open
	document    TEXT NOT NULL,              -- the agreement file (hemgang-agreement/1) as imported
	imported_at INTEGER NOT NULL,
	imported_by TEXT NOT NULL,              -- username, 'cli' or 'builtin'
	PRIMARY KEY (id, version)
) STRICT;

CREATE TRIGGER agreements_no_update BEFORE UPDATE ON agreements
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;

CREATE TABLE invoices (
	id                INTEGER PRIMARY KEY,
	municipality      TEXT NOT NULL,        -- 4-digit SCB code
	month             TEXT NOT NULL,        -- 'YYYY-MM'
	revision          INTEGER NOT NULL,     -- 1, 2, ... per municipality and month
	state             TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'disputed', 'decided', 'superseded')),
	outcome           TEXT CHECK (outcome IN ('upheld', 'adjusted', 'withdrawn')),
	cutoff            INTEGER NOT NULL,     -- events recorded at or before this instant were considered
	built_at          INTEGER NOT NULL,
	built_by          TEXT NOT NULL,
	agreement         TEXT NOT NULL,        -- the agreement in force for the municipality on the 1st
	agreement_version INTEGER NOT NULL,
	agreements        TEXT NOT NULL,        -- JSON [{"id":..,"version":..}]: every version considered
	total_ore         INTEGER NOT NULL,     -- sum of the lines as built
	owed_ore          INTEGER NOT NULL,     -- amount owed now: total, or the decision's figure
	document          TEXT NOT NULL,        -- lines and exclusions as built (canonical JSON)
	UNIQUE (municipality, month, revision)
) STRICT;
CREATE INDEX invoices_month ON invoices(month, municipality);

CREATE TRIGGER invoices_basis_immutable
BEFORE UPDATE OF id, municipality, month, revision, cutoff, built_at, built_by, agreement, agreement_version,
	agreements, total_ore, document ON invoices
BEGIN SELECT RAISE(ABORT, 'an invoice basis is immutable; build a new revision'); END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices are kept'); END;

-- Every step of an invoice's life, in order: who, when, what, why.
CREATE TABLE invoice_steps (
	invoice_id INTEGER NOT NULL REFERENCES invoices(id),
	seq        INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	username   TEXT NOT NULL,
	org        TEXT NOT NULL,               -- the organisation the user acted for
	action     TEXT NOT NULL,               -- 'build' | 'send' | 'dispute' | 'decide' | 'supersede'
	state      TEXT NOT NULL,               -- the state after the step
	outcome    TEXT,                        -- decide only
	reason     TEXT NOT NULL,
	detail     TEXT NOT NULL,               -- JSON: disputed lines, adjustments, superseding invoice
	owed_ore   INTEGER NOT NULL,            -- amount owed after the step
	PRIMARY KEY (invoice_id, seq)
) STRICT;

CREATE TRIGGER invoice_steps_no_update BEFORE UPDATE ON invoice_steps
BEGIN SELECT RAISE(ABORT, 'invoice steps are immutable'); END;
CREATE TRIGGER invoice_steps_no_delete BEFORE DELETE ON invoice_steps
BEGIN SELECT RAISE(ABORT, 'invoice steps are immutable'); END;
