package brcode

// CRC16 returns the CRC-16/CCITT-FALSE of data: polynomial 0x1021, initial
// value 0xFFFF, no reflection, no final XOR ("123456789" gives 0x29B1). A BR
// Code carries it in field 63, computed over the whole payload up to and
// including the "6304" that opens that field.
func CRC16(data string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(data); i++ {
		crc ^= uint16(data[i]) << 8
		for bit := 0; bit < 8; bit++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

const hexDigits = "0123456789ABCDEF"

// crcHex renders a CRC the way field 63 carries it: four upper-case hex
// digits.
func crcHex(crc uint16) string {
	return string([]byte{
		hexDigits[crc>>12&0xF], hexDigits[crc>>8&0xF],
		hexDigits[crc>>4&0xF], hexDigits[crc&0xF],
	})
}
