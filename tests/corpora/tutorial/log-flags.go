// A logger's flags control the header of each line.
// With flags set to 0 there's no timestamp at all, which
// makes the output reproducible. log.Fatal exits with status 1.
package main

import (
	"fmt"
	"log"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("app: ")

	log.Println("loading config")
	fmt.Println("config has 3 entries")
	log.Printf("entry %q is invalid", "timeout")
	log.Fatal("cannot continue")
}
