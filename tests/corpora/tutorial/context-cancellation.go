// A `context.Context` carries deadlines and cancellation
// signals. Here a slow operation is abandoned when its
// context's deadline passes.
package main

import (
	"context"
	"fmt"
	"time"
)

func slowOp(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	fmt.Println("fast:", slowOp(ctx, 50*time.Millisecond))
	fmt.Println("slow:", slowOp(ctx, time.Second))

	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	fmt.Println("cancelled:", slowOp(ctx2, time.Second))
	fmt.Println(context.Cause(ctx2))
}
