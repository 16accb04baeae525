// Package money holds sandbank's view of currency amounts: the ISO 4217
// table of currency codes and minor-unit exponents, and exact conversion
// between integer minor units (the only form amounts are stored in) and the
// decimal strings that wire formats such as Pix carry ("110.00"). Floats are
// never used, so an amount that cannot be represented exactly in a
// currency's minor unit is rejected instead of rounded.
package money
