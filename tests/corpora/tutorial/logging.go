// The standard library's `log` package writes to
// standard error, prefixing each message with the date
// and time by default.
package main

import (
	"log"
)

func main() {
	log.Println("starting up")

	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.Println("with micro")

	log.SetFlags(log.LstdFlags | log.Lshortfile)
	log.Println("with file/line")

	log.SetPrefix("my:")
	log.SetFlags(log.LstdFlags)
	log.Println("from mylog")
}
