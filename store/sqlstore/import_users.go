package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/commercectl/commercectl/internal/csvcell"
	"github.com/commercectl/commercectl/store"
)

// importBatch rows go into one INSERT: few statements, and well under
// SQLite's limit on bound variables.
const importBatch = 256

type importRow struct {
	line                 int
	upn, key, name, dept string
	roles                []string
}

// ImportUsers adds every user of a CSV file (header upn,displayName,
// department[,roles], roles separated by ';') in one transaction, streaming
// it. It is all or nothing: every bad line is reported with its number
// (*store.ImportError) and then nothing is imported.
func (d *DB) ImportUsers(ctx context.Context, name string, r io.Reader) (*store.ImportUsersResult, error) {
	res := &store.ImportUsersResult{File: name}
	// The bad lines leave write as an error, but are returned from here:
	// write's wrap reads error messages, and this one holds the file's
	// name ("3 bad lines in malformed.csv" is not a damaged database).
	var importErr *store.ImportError
	rewind := rewinder(name, r)
	err := d.write(ctx, func(t *tx) error {
		importErr = nil
		if err := rewind(); err != nil {
			return err
		}
		if err := t.requireRole("import users", store.RoleGlobalAdmin, store.RoleUserAdmin); err != nil {
			return err
		}
		// The file is parsed and checked on one core while SQLite inserts
		// on the other; chunks of importBatch rows flow between them.
		chunks := make(chan importChunk, 8)
		stop := make(chan struct{})
		parsed := make(chan struct{})
		go func() {
			defer close(parsed)
			parseUsers(name, r, t.actor, chunks, stop)
		}()
		defer func() { close(stop); <-parsed }()
		*res = store.ImportUsersResult{File: name} // a retried write counts afresh
		skip := store.IsSkipExisting(t.ctx)
		var bad []store.ImportLineError
		if cp, ok := t.eng.(copier); ok {
			bad, err := t.importStaged(cp, chunks, res, skip)
			if err != nil {
				return err
			}
			if len(bad) > 0 {
				sortLines(bad)
				importErr = store.NewImportError(name, bad)
				return importErr
			}
			return t.audit("import-users", name, nil, map[string]any{"users": res.Users, "roles": res.Roles})
		}
		// Without a bulk protocol (SQLite), chunks go in as multi-row
		// INSERTs. SQLite numbers an INTEGER PRIMARY KEY as the largest
		// plus one, so the ids tell which rows an INSERT added.
		var startID int64
		if err := t.QueryRowContext(t.ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&startID); err != nil {
			return err
		}
		ins := &userInserter{t: t, res: res, lastID: startID, now: fmtTime(t.now)}
		defer ins.close()
		for c := range chunks {
			if c.err != nil {
				return c.err
			}
			bad = append(bad, c.bad...)
			if len(c.rows) == 0 {
				continue
			}
			dups, err := ins.insert(c.rows)
			if err != nil {
				return err
			}
			for _, row := range dups {
				// Rows this import inserted have ids above startID: the
				// UPN came earlier in the file, in an earlier chunk.
				var id int64
				if err := t.QueryRowContext(t.ctx, `SELECT id FROM users WHERE upn_key = ?`, row.key).Scan(&id); err != nil {
					return err
				}
				msg := "duplicate UPN " + row.upn + " (the tenant already has it, whatever the case)"
				if id > startID {
					msg = "duplicate UPN " + row.upn + " (earlier in the file, whatever the case)"
				} else if skip {
					res.Skipped++
					continue
				}
				bad = append(bad, store.ImportLineError{Line: row.line, Error: msg})
			}
		}
		if len(bad) > 0 {
			sortLines(bad)
			importErr = store.NewImportError(name, bad)
			return importErr
		}
		return t.audit("import-users", name, nil, map[string]any{"users": res.Users, "roles": res.Roles})
	})
	if importErr != nil {
		return nil, importErr
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importChunk is what the parser hands the inserter: up to importBatch good
// rows, the bad lines met on the way, or an error that ends the import.
type importChunk struct {
	rows []importRow
	bad  []store.ImportLineError
	err  error
}

// parseUsers reads the CSV and sends its rows in chunks until the file ends
// or stop is closed. It closes out when done.
func parseUsers(name string, r io.Reader, actor *store.User, out chan<- importChunk, stop <-chan struct{}) {
	defer close(out)
	send := func(c importChunk) bool {
		select {
		case out <- c:
			return true
		case <-stop:
			return false
		}
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var (
		c        importChunk
		hasRoles bool
		columns  int
		rows     int
	)
	fail := func(line int, msg string) { c.bad = append(c.bad, store.ImportLineError{Line: line, Error: msg}) }
	inChunk := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// FieldPos would panic here: the record has no fields yet.
			if columns == 0 {
				send(importChunk{err: store.Errorf(store.EINVALID, "%s line %d: the header is not valid CSV: %v", name, pe.StartLine, pe.Err).
					WithHint("the header is upn,displayName,department[,roles]")})
				return
			}
			fail(pe.StartLine, "not valid CSV: "+pe.Err.Error())
			continue
		}
		if err != nil {
			send(importChunk{err: store.Errorf(store.EINVALID, "cannot read %s: %v", name, err)})
			return
		}
		line, _ := cr.FieldPos(0)
		if columns == 0 {
			if columns, err = usersHeader(rec); err != nil {
				send(importChunk{err: store.Errorf(store.EINVALID, "%s line %d: %v", name, line, err)})
				return
			}
			hasRoles = columns >= 4
			continue
		}
		rows++
		if len(rec) != columns {
			fail(line, "expected "+itoa(columns)+" columns, found "+itoa(len(rec)))
			continue
		}
		row, msg := parseUserRow(line, rec, hasRoles)
		if msg != "" {
			fail(line, msg)
			continue
		}
		if len(row.roles) > 0 && !actor.HasAnyRole(store.RoleGlobalAdmin) {
			send(importChunk{err: store.Errorf(store.EFORBIDDEN, "%s may not give roles (line %d gives %s)", actor.UPN, line, strings.Join(row.roles, ";")).
				WithHint("only a GlobalAdmin imports users with roles; remove the roles column to import them as members")})
			return
		}
		if prev, ok := inChunk[row.key]; ok {
			fail(line, "duplicate UPN "+row.upn+" (line "+itoa(prev)+", whatever the case)")
			continue
		}
		inChunk[row.key] = line
		c.rows = append(c.rows, row)
		if len(c.rows) == importBatch {
			if !send(c) {
				return
			}
			c = importChunk{rows: make([]importRow, 0, importBatch)}
			clear(inChunk)
		}
	}
	switch {
	case columns == 0:
		fail(1, "the file is empty: it needs the header upn,displayName,department[,roles]")
	case rows == 0:
		fail(2, "no users after the header")
	}
	send(c)
}

// userInserter writes chunks of users. A full chunk without roles, the
// common case, goes through one prepared statement; RowsAffected tells
// whether any of its UPNs already existed.
type userInserter struct {
	t      *tx
	res    *store.ImportUsersResult
	full   *sql.Stmt
	args   []any
	lastID int64 // the largest users.id before the chunk being inserted
	now    string
}

func (u *userInserter) close() {
	if u.full != nil {
		u.full.Close()
	}
}

const insertUsersPrefix = `INSERT INTO users (upn, upn_key, display_name, department, created_at) VALUES `

func userValues(n int) string {
	return strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", n), ",")
}

// insert adds rows and returns those whose UPN the tenant already had.
func (u *userInserter) insert(rows []importRow) ([]importRow, error) {
	withRoles := false
	for _, r := range rows {
		if len(r.roles) > 0 {
			withRoles = true
			break
		}
	}
	if len(rows) != importBatch || withRoles {
		dups, err := u.t.insertUserBatch(rows, u.res)
		if err == nil {
			err = u.t.QueryRowContext(u.t.ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&u.lastID)
		}
		return dups, err
	}
	if u.full == nil {
		stmt, err := u.t.PrepareContext(u.t.ctx, insertUsersPrefix+userValues(importBatch)+` ON CONFLICT (upn_key) DO NOTHING`)
		if err != nil {
			return nil, err
		}
		u.full, u.args = stmt, make([]any, 0, importBatch*5)
	}
	u.args = u.args[:0]
	for _, r := range rows {
		u.args = append(u.args, r.upn, r.key, r.name, r.dept, u.now)
	}
	res, err := u.full.ExecContext(u.t.ctx, u.args...)
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	u.res.Users += int(n)
	before := u.lastID
	if n > 0 {
		if u.lastID, err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	if int(n) == len(rows) {
		return nil, nil
	}
	// Some UPNs were there before this chunk: the rows not inserted are
	// those whose user has an id from before it.
	keys := make([]any, 0, len(rows)+1)
	for _, r := range rows {
		keys = append(keys, r.key)
	}
	keys = append(keys, before)
	old, err := u.t.column(`SELECT upn_key FROM users WHERE upn_key IN (`+placeholders(len(rows))+`) AND id <= ?`, keys...)
	if err != nil {
		return nil, err
	}
	existed := make(map[string]bool, len(old))
	for _, k := range old {
		existed[k] = true
	}
	var dups []importRow
	for _, r := range rows {
		if existed[r.key] {
			dups = append(dups, r)
		}
	}
	return dups, nil
}

// usersHeader checks the header and returns its number of columns. The
// createdAt column of list-users -o csv may follow roles: it is ignored, so
// that a listing imports as it is.
func usersHeader(rec []string) (int, error) {
	want := []string{"upn", "displayname", "department", "roles", "createdat"}
	if len(rec) < 3 || len(rec) > 5 {
		return 0, errors.New("the header must be upn,displayName,department[,roles], not " + itoa(len(rec)) + " columns")
	}
	for i, h := range rec {
		if strings.ToLower(strings.TrimSpace(h)) != want[i] {
			return 0, errors.New("the header must be upn,displayName,department[,roles], not " + strconvQuote(strings.Join(rec, ",")))
		}
	}
	return len(rec), nil
}

// parseUserRow checks one line; it returns the reason when the line is bad.
func parseUserRow(line int, rec []string, hasRoles bool) (importRow, string) {
	// A huge cell is refused before ValidateUPN, which would quote all of it.
	if v := strings.TrimSpace(rec[0]); len(v) > store.MaxUPNLength {
		return importRow{}, "invalid UPN " + strconvQuote(v) + ": longer than " + itoa(store.MaxUPNLength) + " characters"
	}
	// Cells are read as our exports write them: csvcell's mark, the "'"
	// that keeps a spreadsheet from running =, +, - or @, is taken away.
	for i := range min(len(rec), 3) {
		rec[i] = csvcell.Unmark(rec[i])
	}
	upn, err := store.ValidateUPN(rec[0])
	if err != nil {
		return importRow{}, store.ErrorMessage(err)
	}
	row := importRow{line: line, upn: upn, key: strings.ToLower(upn)}
	for i, dst := range []*string{&row.name, &row.dept} {
		v := strings.TrimSpace(rec[i+1])
		if msg := store.CheckName(v); msg != "" {
			return importRow{}, []string{"displayName", "department"}[i] + " " + msg
		}
		*dst = v
	}
	if hasRoles && strings.TrimSpace(rec[3]) != "" {
		for _, r := range strings.Split(rec[3], ";") {
			if strings.TrimSpace(r) == "" {
				continue // "GlobalReader;" as a spreadsheet may leave it
			}
			c, ok := store.CanonicalRole(strings.TrimSpace(r))
			if !ok {
				return importRow{}, "unknown role " + strconvQuote(r) + " (roles are " + strings.Join(store.Roles, ", ") + ")"
			}
			if !contains(row.roles, c) {
				row.roles = append(row.roles, c)
			}
		}
	}
	return row, ""
}

// strconvQuote quotes a cell for an error message: at most 40 bytes of it,
// with control characters and invalid UTF-8 escaped, so that a hostile cell
// can neither flood the terminal nor break the one-line-per-bad-line report.
func strconvQuote(s string) string {
	if len(s) <= 40 {
		return strconv.Quote(s)
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// insertUserBatch inserts rows, skipping UPNs the tenant already has, and
// returns those skipped: RETURNING says which rows went in.
func (t *tx) insertUserBatch(rows []importRow, res *store.ImportUsersResult) ([]importRow, error) {
	args := make([]any, 0, len(rows)*5)
	now := fmtTime(t.now)
	for _, r := range rows {
		args = append(args, r.upn, r.key, r.name, r.dept, now)
	}
	q, err := t.QueryContext(t.ctx, insertUsersPrefix+userValues(len(rows))+` ON CONFLICT (upn_key) DO NOTHING RETURNING id, upn_key`, args...)
	if err != nil {
		return nil, err
	}
	inserted := make(map[string]int64, len(rows))
	for q.Next() {
		var (
			id  int64
			key string
		)
		if err := q.Scan(&id, &key); err != nil {
			q.Close()
			return nil, err
		}
		inserted[key] = id
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, err
	}
	var dups []importRow
	var roleArgs []any
	for _, r := range rows {
		id, ok := inserted[r.key]
		if !ok {
			dups = append(dups, r)
			continue
		}
		res.Users++
		for _, role := range r.roles {
			roleArgs = append(roleArgs, id, role)
		}
	}
	n, err := t.insertRoles(roleArgs)
	res.Roles += n
	return dups, err
}

// insertRoles gives the roles of pairs (user id, role, user id, role, ...),
// importBatch at a time, and returns how many it gave.
func (t *tx) insertRoles(pairs []any) (int, error) {
	n := 0
	for len(pairs) > 0 {
		k := min(len(pairs), 2*importBatch)
		if _, err := t.ExecContext(t.ctx, `INSERT INTO user_roles (user_id, role) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?),", k/2), ","), pairs[:k]...); err != nil {
			return n, err
		}
		n += k / 2
		pairs = pairs[k:]
	}
	return n, nil
}

func sortLines(lines []store.ImportLineError) {
	// Lines arrive in order, except duplicates found when a batch is written.
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Line < lines[j].Line })
}

// importStaged is the import of an engine with a bulk protocol (copier):
// the whole file streams into a scratch table, then set-based statements
// find the duplicates, with their lines, and add the users and their roles.
func (t *tx) importStaged(cp copier, chunks <-chan importChunk, res *store.ImportUsersResult, skip bool) ([]store.ImportLineError, error) {
	src := &chunkSource{chunks: chunks}
	if _, err := cp.copyIn(t, "import_stage", "line INTEGER NOT NULL, upn TEXT NOT NULL, upn_key TEXT NOT NULL, display_name TEXT NOT NULL, department TEXT NOT NULL, roles TEXT NOT NULL",
		[]string{"line", "upn", "upn_key", "display_name", "department", "roles"}, src); err != nil {
		if src.err != nil {
			return nil, src.err
		}
		return nil, err
	}
	if len(src.bad) > 0 {
		// Nothing goes in: every bad line is reported, duplicates too.
		dups, err := t.stagedDuplicates(skip)
		return append(src.bad, dups...), err
	}
	var before, staged int64
	if err := t.QueryRowContext(t.ctx, `SELECT (SELECT coalesce(max(id), 0) FROM users), (SELECT count(*) FROM import_stage)`).Scan(&before, &staged); err != nil {
		return nil, err
	}
	// With skip, the users the tenant has stay as they are.
	known := ""
	if skip {
		known = ` s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.upn_key = s.upn_key)`
	}
	// Most files add only new users: the insert is tried first, and the
	// lines of the duplicates are looked for only when the unique index
	// refuses one.
	if _, err := t.ExecContext(t.ctx, `SAVEPOINT import_users`); err != nil {
		return nil, err
	}
	r, err := t.ExecContext(t.ctx, `INSERT INTO users (upn, upn_key, display_name, department, created_at)
		SELECT upn, upn_key, display_name, department, ? FROM import_stage`+known, fmtTime(t.now))
	if cp.uniqueViolation(err) {
		if _, err := t.ExecContext(t.ctx, `ROLLBACK TO SAVEPOINT import_users`); err != nil {
			return nil, err
		}
		return t.stagedDuplicates(skip)
	}
	if err != nil {
		return nil, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return nil, err
	}
	res.Users = int(n)
	res.Skipped = int(staged - n)
	// Roles are few: a file of admins, not of a million users. Only the
	// users this import added get them.
	withRoles, err := t.QueryContext(t.ctx, `SELECT u.id, s.roles FROM import_stage s JOIN users u ON u.upn_key = s.upn_key WHERE s.roles <> '' AND u.id > ? ORDER BY s.line`, before)
	if err != nil {
		return nil, err
	}
	var roleArgs []any
	for withRoles.Next() {
		var (
			id    int64
			roles string
		)
		if err := withRoles.Scan(&id, &roles); err != nil {
			withRoles.Close()
			return nil, err
		}
		for _, role := range strings.Split(roles, ";") {
			roleArgs = append(roleArgs, id, role)
		}
	}
	withRoles.Close()
	if err := withRoles.Err(); err != nil {
		return nil, err
	}
	res.Roles, err = t.insertRoles(roleArgs)
	return nil, err
}

// stagedDuplicates finds the lines of the staged file whose UPN the tenant
// has, or that an earlier line has.
func (t *tx) stagedDuplicates(skip bool) ([]store.ImportLineError, error) {
	if err := t.eng.scratchFilled(t.ctx, t.querier, "import_stage"); err != nil {
		return nil, err
	}
	rows, err := t.QueryContext(t.ctx, `SELECT s.line, s.upn, 'tenant' FROM import_stage s JOIN users u ON u.upn_key = s.upn_key
		UNION ALL
		SELECT s.line, s.upn, 'file' FROM import_stage s JOIN (SELECT upn_key, min(line) AS first FROM import_stage GROUP BY upn_key HAVING count(*) > 1) f
			ON f.upn_key = s.upn_key AND s.line > f.first
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.upn_key = s.upn_key)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []store.ImportLineError
	for rows.Next() {
		var (
			line       int
			upn, where string
		)
		if err := rows.Scan(&line, &upn, &where); err != nil {
			return nil, err
		}
		if where == "tenant" && skip {
			continue
		}
		msg := "duplicate UPN " + upn + " (the tenant already has it, whatever the case)"
		if where == "file" {
			msg = "duplicate UPN " + upn + " (earlier in the file, whatever the case)"
		}
		bad = append(bad, store.ImportLineError{Line: line, Error: msg})
	}
	return bad, rows.Err()
}

// chunkSource hands the parser's rows to a copier one by one, and keeps
// the bad lines and the error that ends the file.
type chunkSource struct {
	chunks <-chan importChunk
	cur    []importRow
	i      int
	row    importRow
	bad    []store.ImportLineError
	err    error
}

func (s *chunkSource) Next() bool {
	for s.i >= len(s.cur) {
		c, ok := <-s.chunks
		if !ok {
			return false
		}
		if c.err != nil {
			s.err = c.err
			return false
		}
		s.bad = append(s.bad, c.bad...)
		s.cur, s.i = c.rows, 0
	}
	s.row = s.cur[s.i]
	s.i++
	return true
}

func (s *chunkSource) Values() ([]any, error) {
	r := s.row
	return []any{int64(r.line), r.upn, r.key, r.name, r.dept, strings.Join(r.roles, ";")}, nil
}

func (s *chunkSource) Err() error { return s.err }
