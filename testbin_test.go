package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The binaries the whole-process tests run, built once per test run into
// binDir (TestMain removes it): a build per test would cost each one the link.
var (
	binDir  string
	binOnce = map[string]*sync.Once{"commercectl": {}, "gentenant": {}}
	binErr  = map[string]error{}
	binMu   sync.Mutex
)

// binTestingM removes binDir once every test has run.
type binTestingM struct{ m *testing.M }

func (b binTestingM) Run() int {
	code := b.m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
}

// commercectlBin is the path of commercectl built from this tree, static
// (no cgo) as make build builds it.
func commercectlBin(t testing.TB) string { return buildOnce(t, "commercectl", ".") }

// gentenantBin is the path of internal/gentenant, the synthetic tenant maker.
func gentenantBin(t testing.TB) string { return buildOnce(t, "gentenant", "./internal/gentenant") }

func buildOnce(t testing.TB, name, pkg string) string {
	t.Helper()
	binMu.Lock()
	once := binOnce[name]
	binMu.Unlock()
	once.Do(func() {
		binMu.Lock()
		defer binMu.Unlock()
		if binDir == "" {
			d, err := os.MkdirTemp("", "commercectl-testbin-")
			if err != nil {
				binErr[name] = err
				return
			}
			binDir = d
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		build := exec.Command(goTool, "build", "-o", filepath.Join(binDir, name), pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			binErr[name] = &buildError{pkg: pkg, err: err, out: out}
		}
	})
	binMu.Lock()
	defer binMu.Unlock()
	if err := binErr[name]; err != nil {
		t.Fatal(err)
	}
	return filepath.Join(binDir, name)
}

type buildError struct {
	pkg string
	err error
	out []byte
}

func (e *buildError) Error() string {
	return "go build " + e.pkg + ": " + e.err.Error() + "\n" + string(e.out)
}

// stress reports whether the long variants run (make stress sets
// COMMERCECTL_STRESS=1); make test runs the short ones.
func stress() bool { return os.Getenv("COMMERCECTL_STRESS") != "" }
