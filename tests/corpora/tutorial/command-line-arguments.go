// _Command-line arguments_ are a common way to parameterize
// execution of programs. `os.Args` provides access to raw
// command-line arguments; the first value is the program path.
package main

import (
	"fmt"
	"os"
)

func main() {
	argsWithoutProg := os.Args[1:]
	arg := os.Args[3]

	fmt.Println(argsWithoutProg)
	fmt.Println(arg)
	fmt.Println(len(argsWithoutProg), "arguments")
}
