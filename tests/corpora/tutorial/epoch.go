// A common requirement in programs is getting the number
// of seconds, milliseconds, or nanoseconds since the
// Unix epoch.
package main

import (
	"fmt"
	"time"
)

func main() {
	now := time.Now()
	fmt.Println(now)

	fmt.Println(now.Unix())
	fmt.Println(now.UnixMilli())
	fmt.Println(now.UnixNano())

	fmt.Println(time.Unix(1_700_000_000, 0).UTC())
}
