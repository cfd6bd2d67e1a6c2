package accesspoint

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

// Identifiers of the Peppol Envelope Specification (SBDH).
const (
	NamespaceSBDH        = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
	AuthorityParticipant = "iso6523-actorid-upis" // Sender/Receiver Identifier Authority
	SchemeDocumentType   = "busdox-docid-qns"     // DOCUMENTID scope Identifier
	SchemeProcess        = "cenbii-procid-ubl"    // PROCESSID scope Identifier
)

type sbd struct {
	XMLName xml.Name `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader StandardBusinessDocument"`
	Header  sbdh     `xml:"StandardBusinessDocumentHeader"`
	Payload []byte   `xml:",innerxml"`
}

type sbdh struct {
	HeaderVersion  string         `xml:"HeaderVersion"`
	Sender         party          `xml:"Sender"`
	Receiver       party          `xml:"Receiver"`
	Identification identification `xml:"DocumentIdentification"`
	Scopes         []scope        `xml:"BusinessScope>Scope"`
}

type party struct {
	Identifier identifier `xml:"Identifier"`
}

type identifier struct {
	Authority string `xml:"Authority,attr"`
	Value     string `xml:",chardata"`
}

type identification struct {
	Standard            string `xml:"Standard"`
	TypeVersion         string `xml:"TypeVersion"`
	InstanceIdentifier  string `xml:"InstanceIdentifier"`
	Type                string `xml:"Type"`
	CreationDateAndTime string `xml:"CreationDateAndTime"`
}

type scope struct {
	Type               string `xml:"Type"`
	InstanceIdentifier string `xml:"InstanceIdentifier"`
	Identifier         string `xml:"Identifier,omitempty"`
}

// Envelope is m as a Standard Business Document: the Peppol SBDH, then the
// UBL document (its XML declaration removed). created is the
// CreationDateAndTime; keep it across retries so they send the same bytes.
//
// COUNTRY_C1, mandatory in Peppol since 2024, is m.SenderCountry, else the
// country of the sender's identifier scheme when the scheme belongs to one
// country (0192 Norway, 9930 Germany, ...); when neither is known the scope
// is left out and the access point must add it from what it knows of its
// customer.
func Envelope(m transport.Message, created time.Time) ([]byte, error) {
	ns, local, ok := transport.DocumentRoot(m.DocumentType)
	if !ok {
		return nil, transport.Permanent(fmt.Sprintf("document type id %q cannot be parsed", m.DocumentType))
	}
	version := "2.1"
	if i := strings.LastIndex(m.DocumentType, "::"); i > 0 && strings.Contains(m.DocumentType[:i], "##") {
		version = m.DocumentType[i+2:] // "...::2.1": the UBL version
	}
	payload, err := payloadOf(m.UBL)
	if err != nil {
		return nil, err
	}
	country, err := countryC1(m)
	if err != nil {
		return nil, err
	}
	scopes := []scope{
		{Type: "DOCUMENTID", InstanceIdentifier: m.DocumentType, Identifier: SchemeDocumentType},
		{Type: "PROCESSID", InstanceIdentifier: m.Process, Identifier: SchemeProcess},
	}
	if country != "" {
		scopes = append(scopes, scope{Type: "COUNTRY_C1", InstanceIdentifier: country})
	}
	doc := sbd{
		Header: sbdh{
			HeaderVersion: "1.0",
			Sender:        party{identifier{AuthorityParticipant, m.Sender.String()}},
			Receiver:      party{identifier{AuthorityParticipant, m.Receiver.String()}},
			Identification: identification{
				Standard:            ns,
				TypeVersion:         version,
				InstanceIdentifier:  m.MessageID,
				Type:                local,
				CreationDateAndTime: created.UTC().Format(time.RFC3339),
			},
			Scopes: scopes,
		},
		Payload: payload,
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		return nil, transport.Permanent("building the SBDH: " + err.Error())
	}
	return append([]byte(xml.Header), out...), nil
}

// payloadOf is the UBL document ready to sit inside the envelope: without a
// byte order mark or XML declaration, which may only open a document.
func payloadOf(ubl []byte) ([]byte, error) {
	p := bytes.TrimPrefix(ubl, []byte("\xEF\xBB\xBF"))
	p = bytes.TrimLeft(p, " \t\r\n")
	if bytes.HasPrefix(p, []byte("<?xml")) {
		end := bytes.Index(p, []byte("?>"))
		if end < 0 {
			return nil, transport.Permanent("document: unterminated XML declaration")
		}
		if enc := declEncoding(string(p[:end])); enc != "" && !strings.EqualFold(enc, "UTF-8") {
			return nil, transport.Permanent(fmt.Sprintf("document: encoding %q; Peppol documents are UTF-8", enc))
		}
		p = bytes.TrimLeft(p[end+2:], " \t\r\n")
	}
	if bytes.HasPrefix(p, []byte("<!DOCTYPE")) {
		return nil, transport.Permanent("document: a DOCTYPE is not allowed in a Peppol document")
	}
	return p, nil
}

// declEncoding is the encoding an XML declaration names, "" for none.
func declEncoding(decl string) string {
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest, ok := strings.CutPrefix(rest, "=")
	rest = strings.TrimLeft(rest, " \t\r\n")
	if !ok || rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	end := strings.IndexByte(rest[1:], rest[0])
	if end < 0 {
		return ""
	}
	return rest[1 : 1+end]
}

func countryC1(m transport.Message) (string, error) {
	if c := m.SenderCountry; c != "" {
		if len(c) != 2 || !isLetter(c[0]) || !isLetter(c[1]) {
			return "", transport.Permanent(fmt.Sprintf("sender country %q is not an ISO 3166-1 alpha-2 code", c))
		}
		return strings.ToUpper(c), nil
	}
	return schemeCountry[m.Sender.Scheme], nil
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

// schemeCountry maps the Peppol participant identifier schemes (ISO 6523
// ICDs, Peppol code list "Participant Identifier Schemes") that belong to one
// country to its ISO 3166-1 alpha-2 code (code list v9.7, active and
// deprecated schemes). International schemes (GLN 0088, DUNS 0060, LEI 0199,
// ...) are absent: they say nothing about the country.
var schemeCountry = map[string]string{
	"0002": "FR", "0007": "SE", "0009": "FR", "0037": "FI", "0096": "DK", "0097": "IT",
	"0106": "NL", "0135": "IT", "0142": "IT", "0151": "AU", "0158": "SK", "0183": "CH",
	"0184": "DK", "0188": "JP", "0190": "NL", "0191": "EE", "0192": "NO", "0193": "BE",
	"0195": "SG", "0196": "IS", "0198": "DK", "0200": "LT", "0201": "IT", "0204": "DE",
	"0205": "IT", "0208": "BE", "0210": "IT", "0211": "IT", "0212": "FI", "0213": "FI",
	"0215": "FI", "0216": "FI", "0218": "LV", "0221": "JP", "0225": "FR", "0230": "MY",
	"0235": "AE", "0240": "LU", "0244": "NG", "0245": "SK", "0246": "DE", "0248": "OM",
	"9901": "DK", "9906": "IT", "9907": "IT", "9909": "NO", "9910": "HU", "9914": "AT",
	"9915": "AT", "9916": "AT", "9917": "IS", "9919": "AT", "9920": "ES", "9922": "AD", "9923": "AL", "9924": "BA", "9925": "BE",
	"9926": "BG", "9927": "CH", "9928": "CY", "9929": "CZ", "9930": "DE", "9931": "EE",
	"9932": "GB", "9933": "GR", "9934": "HR", "9935": "IE", "9936": "LI", "9937": "LT",
	"9938": "LU", "9939": "LV", "9940": "MC", "9941": "ME", "9942": "MK", "9943": "MT",
	"9944": "NL", "9945": "PL", "9946": "PT", "9947": "RO", "9948": "RS", "9949": "SI",
	"9950": "SK", "9951": "SM", "9952": "TR", "9953": "VA", "9957": "FR", "9959": "US",
}
