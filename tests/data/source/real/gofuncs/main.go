// Command gofuncs prints every function declaration of the Go files named on the
// command line, as "file name start end", using Go's own parser (go/ast): the
// independent count covgap's tree-sitter analysis of Go is checked against.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
)

func receiver(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.Ident:
		return x.Name + "."
	case *ast.IndexExpr:
		return x.X.(*ast.Ident).Name + "."
	case *ast.IndexListExpr:
		return x.X.(*ast.Ident).Name + "."
	}
	return "?."
}

func main() {
	fset := token.NewFileSet()
	for _, path := range os.Args[1:] {
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, decl := range file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok {
				start := fset.Position(fn.Pos()).Line
				end := fset.Position(fn.End()).Line
				fmt.Printf("%s %s%s %d %d\n", filepath.Base(path), receiver(fn), fn.Name.Name, start, end)
			}
		}
	}
}
