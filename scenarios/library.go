package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// The built-in library: scenarios for the failures every integration
// meets, embedded in the binary and activated by name (sandbank serve
// --scenario NAME, the admin API, or a Sandbank-Scenario header).
//
//go:embed library/*.yaml
var libraryFS embed.FS

var loadLibrary = sync.OnceValues(func() (map[string]*Scenario, error) {
	out := map[string]*Scenario{}
	files, err := fs.Glob(libraryFS, "library/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := libraryFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc, err := Parse(f, data)
		if err != nil {
			return nil, fmt.Errorf("scenario library: %w", err)
		}
		sc.Source = "library"
		out[sc.Name] = sc
	}
	return out, nil
})

// Library lists the built-in scenarios, sorted by name.
func Library() []*Scenario {
	lib, err := loadLibrary()
	if err != nil {
		panic(err) // the library is part of the binary; its test keeps it valid
	}
	out := make([]*Scenario, 0, len(lib))
	for _, sc := range lib {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LibraryScenario finds a built-in scenario by name.
func LibraryScenario(name string) (*Scenario, bool) {
	lib, err := loadLibrary()
	if err != nil {
		return nil, false
	}
	sc, ok := lib[name]
	return sc, ok
}

// LibrarySource returns a built-in scenario's YAML as written.
func LibrarySource(name string) ([]byte, error) {
	if _, ok := LibraryScenario(name); !ok {
		return nil, fmt.Errorf("no library scenario %q (sandbank scenario list)", name)
	}
	return libraryFS.ReadFile("library/" + name + ".yaml")
}
