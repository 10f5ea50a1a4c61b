// Package shapes provides simple two-dimensional geometric shapes.
package shapes

import (
	"fmt"
	"math"
	"sort"
)

// Shape is anything with an area and a perimeter.
type Shape interface {
	Area() float64
	Perimeter() float64
}

// Rect is an axis-aligned rectangle.
type Rect struct {
	Width, Height float64
}

// Area returns the area of r.
func (r Rect) Area() float64 { return r.Width * r.Height }

// Perimeter returns the perimeter of r.
func (r Rect) Perimeter() float64 { return 2 * (r.Width + r.Height) }

// Scale returns r with both sides multiplied by f.
func (r Rect) Scale(f float64) Rect { return Rect{r.Width * f, r.Height * f} }

// String implements fmt.Stringer.
func (r Rect) String() string { return fmt.Sprintf("Rect(%gx%g)", r.Width, r.Height) }

// Circle is a circle with the given radius.
type Circle struct {
	Radius float64
}

// Area returns the area of c.
func (c Circle) Area() float64 { return math.Pi * c.Radius * c.Radius }

// Perimeter returns the circumference of c.
func (c Circle) Perimeter() float64 { return 2 * math.Pi * c.Radius }

// String implements fmt.Stringer.
func (c Circle) String() string { return fmt.Sprintf("Circle(r=%g)", c.Radius) }

// Square returns a square Rect with the given side.
func Square(side float64) Rect { return Rect{side, side} }

// TotalArea returns the sum of the areas of the shapes.
func TotalArea(shapes ...Shape) float64 {
	total := 0.0
	for _, s := range shapes {
		total += s.Area()
	}
	return total
}

// Largest returns the shape with the largest area, or nil if there are none.
func Largest(shapes []Shape) Shape {
	var best Shape
	for _, s := range shapes {
		if best == nil || s.Area() > best.Area() {
			best = s
		}
	}
	return best
}

// SortByArea sorts shapes by increasing area.
func SortByArea(shapes []Shape) {
	sort.SliceStable(shapes, func(i, j int) bool { return shapes[i].Area() < shapes[j].Area() })
}

// ErrNegative is returned by Parse for negative dimensions.
var ErrNegative = fmt.Errorf("shapes: negative dimension")

// Parse parses "rect W H", "square S" or "circle R".
func Parse(s string) (Shape, error) {
	var kind string
	var a, b float64
	n, _ := fmt.Sscan(s, &kind, &a, &b)
	switch {
	case n >= 2 && (a < 0 || b < 0):
		return nil, ErrNegative
	case kind == "rect" && n == 3:
		return Rect{a, b}, nil
	case kind == "square" && n == 2:
		return Square(a), nil
	case kind == "circle" && n == 2:
		return Circle{a}, nil
	}
	return nil, fmt.Errorf("shapes: cannot parse %q", s)
}

// CountByKind reports how many shapes of each kind there are,
// keyed by the kind name ("Rect", "Circle").
func CountByKind(shapes []Shape) map[string]int {
	m := map[string]int{}
	for _, s := range shapes {
		switch s.(type) {
		case Rect:
			m["Rect"]++
		case Circle:
			m["Circle"]++
		}
	}
	return m
}
