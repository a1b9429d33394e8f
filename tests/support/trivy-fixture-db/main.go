// trivy-fixture-db writes a Trivy vulnerability database from bolt-fixtures YAML files, the way
// Trivy's own tests build theirs (trivy/internal/dbtest.InitDB and integration_test.go initDB):
// the fixtures loaded into <cache>/db/trivy.db with aquasecurity/bolt-fixtures, then
// <cache>/db/metadata.json written with trivy-db's metadata client at trivy-db's schema version.
// The trivy-db version is the one trivy v0.74.0's go.mod requires, so the scanner reads it as its
// own. The database is then opened with trivy-db and every vulnerability read back through it.
//
//	trivy-fixture-db --cache-dir DIR fixture.yaml [fixture.yaml...]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	fixtures "github.com/aquasecurity/bolt-fixtures"
	trivydb "github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	bolt "go.etcd.io/bbolt"
)

func main() {
	cacheDir := flag.String("cache-dir", "", "Trivy cache dir to write db/trivy.db and db/metadata.json into")
	flag.Parse()
	if *cacheDir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: trivy-fixture-db --cache-dir DIR fixture.yaml [fixture.yaml...]")
		os.Exit(2)
	}
	if err := build(*cacheDir, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "trivy-fixture-db: %v\n", err)
		os.Exit(1)
	}
}

func build(cacheDir string, files []string) error {
	// trivy/pkg/db.Dir: the database lives in <cache>/db.
	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return err
	}
	dbPath := trivydb.Path(dbDir)
	// A fresh file each time: fixtures add to what is there, and a stale advisory would linger.
	if err := os.Remove(dbPath); err != nil && !os.IsNotExist(err) {
		return err
	}
	loader, err := fixtures.New(dbPath, files)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	if err := loader.Load(); err != nil {
		loader.Close()
		return fmt.Errorf("load fixtures: %w", err)
	}
	if err := loader.Close(); err != nil {
		return err
	}
	now := time.Now().UTC()
	meta := metadata.Metadata{
		Version:      trivydb.SchemaVersion,
		NextUpdate:   now.Add(24 * time.Hour),
		UpdatedAt:    now,
		DownloadedAt: now,
	}
	if err := metadata.NewClient(dbDir).Update(meta); err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	return readBack(dbDir)
}

// readBack opens the database with trivy-db, as the scanner will, reads every vulnerability
// through it, and prints each top-level bucket with its number of entries.
func readBack(dbDir string) error {
	if err := trivydb.Init(dbDir); err != nil {
		return fmt.Errorf("trivy-db cannot open what was written: %w", err)
	}
	defer trivydb.Close()
	dbc := trivydb.Config{}
	counts := map[string]int{}
	var vulnIDs []string
	err := dbc.Connection().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			n := 0
			err := b.ForEach(func(k, _ []byte) error {
				n++
				if string(name) == "vulnerability" {
					vulnIDs = append(vulnIDs, string(k))
				}
				return nil
			})
			counts[string(name)] = n
			return err
		})
	})
	if err != nil {
		return err
	}
	for _, id := range vulnIDs {
		v, err := dbc.GetVulnerability(id)
		if err != nil {
			return fmt.Errorf("read back %s: %w", id, err)
		}
		fmt.Printf("vulnerability %s: %s (%s)\n", id, v.Title, v.Severity)
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("bucket %q: %d entries\n", name, counts[name])
	}
	fmt.Printf("wrote %s and %s (schema %d)\n", trivydb.Path(dbDir), metadata.Path(dbDir), trivydb.SchemaVersion)
	return nil
}
