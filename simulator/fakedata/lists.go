package fakedata

// The word lists behind the generated data. gofakeit's own lists are
// American; a Brazilian bank's statements need Brazilian names, places and
// merchants, a German one German ones, and so on.

var peopleNames = map[string]struct{ first, last []string }{
	"BR": {
		first: []string{"Ana", "Beatriz", "João", "Pedro", "Lucas", "Mariana", "Gabriel", "Juliana", "Rafael", "Camila", "Felipe", "Larissa", "Thiago", "Fernanda", "Bruno", "Aline", "Gustavo", "Letícia", "Matheus", "Carolina", "Rodrigo", "Patrícia", "Vinícius", "Isabela"},
		last:  []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Araújo", "Barbosa", "Rocha", "Cardoso", "Nascimento"},
	},
	"DE": {
		first: []string{"Lukas", "Anna", "Leon", "Mia", "Felix", "Emma", "Jonas", "Sophie", "Paul", "Lena", "Maximilian", "Hannah", "Tim", "Laura", "Niklas", "Julia"},
		last:  []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf"},
	},
	"GB": {
		first: []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Charlie", "Sophia", "Thomas", "Grace", "James", "Olivia", "William", "Lily"},
		last:  []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Hughes"},
	},
	"US": {
		first: []string{"James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "David", "Linda", "Daniel", "Sarah"},
		last:  []string{"Johnson", "Miller", "Davis", "Garcia", "Martinez", "Anderson", "Thomas", "Jackson", "Harris", "Clark"},
	},
}

type place struct{ city, state, postal string }

// cities with their state and a postal-code pattern (# digit, ? letter).
var cities = map[string][]place{
	"BR": {
		{"São Paulo", "SP", "01###-###"}, {"Rio de Janeiro", "RJ", "22###-###"}, {"Belo Horizonte", "MG", "30###-###"},
		{"Curitiba", "PR", "80###-###"}, {"Porto Alegre", "RS", "90###-###"}, {"Recife", "PE", "50###-###"},
		{"Salvador", "BA", "40###-###"}, {"Florianópolis", "SC", "88###-###"}, {"Campinas", "SP", "13###-###"},
	},
	"DE": {
		{"Berlin", "BE", "10###"}, {"München", "BY", "80###"}, {"Hamburg", "HH", "20###"},
		{"Köln", "NW", "50###"}, {"Frankfurt am Main", "HE", "60###"}, {"Leipzig", "SN", "04###"},
	},
	"GB": {
		{"London", "", "SW# #??"}, {"Manchester", "", "M# #??"}, {"Bristol", "", "BS# #??"},
		{"Leeds", "", "LS# #??"}, {"Edinburgh", "", "EH# #??"}, {"Birmingham", "", "B# #??"},
	},
}

var streets = map[string][]string{
	"BR": {"Rua Augusta", "Avenida Paulista", "Rua XV de Novembro", "Rua das Flores", "Avenida Atlântica", "Rua Oscar Freire", "Rua Sete de Setembro", "Avenida Brasil", "Rua da Consolação", "Avenida Afonso Pena"},
	"DE": {"Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Gartenweg", "Lindenallee", "Bergstraße", "Kirchgasse"},
	"GB": {"High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane", "Park Avenue", "Manor Road", "Kings Road"},
}

var countryOf = map[string]string{"BRL": "BR", "EUR": "DE", "GBP": "GB", "USD": "US"}

type merchant struct {
	name, mcc, category, city string
	lo, hi                    float64 // major units
}

// merchants by account currency, with real MCCs.
var merchants = map[string][]merchant{
	"BRL": {
		{"Padaria Bella Vista", "5462", "groceries", "São Paulo", 8, 45},
		{"Pão de Açúcar", "5411", "groceries", "São Paulo", 35, 420},
		{"Carrefour", "5411", "groceries", "Rio de Janeiro", 40, 520},
		{"iFood", "5814", "restaurants", "Osasco", 25, 120},
		{"Uber do Brasil", "4121", "transport", "São Paulo", 9, 75},
		{"99 Táxi", "4121", "transport", "São Paulo", 8, 60},
		{"Drogasil", "5912", "health", "São Paulo", 12, 180},
		{"Posto Shell", "5541", "fuel", "Curitiba", 60, 300},
		{"Renner", "5651", "shopping", "Porto Alegre", 60, 450},
		{"Magazine Luiza", "5732", "shopping", "Franca", 80, 1800},
		{"Netflix.com", "4899", "subscriptions", "São Paulo", 39.9, 59.9},
		{"Spotify", "5815", "subscriptions", "São Paulo", 21.9, 34.9},
		{"Outback Steakhouse", "5812", "restaurants", "São Paulo", 90, 380},
		{"Mercado Livre", "5969", "shopping", "Osasco", 25, 900},
	},
	"EUR": {
		{"REWE", "5411", "groceries", "Berlin", 8, 140},
		{"Lidl", "5411", "groceries", "München", 6, 90},
		{"EDEKA", "5411", "groceries", "Hamburg", 7, 110},
		{"dm-drogerie markt", "5912", "health", "Köln", 5, 60},
		{"Deutsche Bahn", "4112", "transport", "Berlin", 19, 160},
		{"BVG Berlin", "4111", "transport", "Berlin", 3.2, 58},
		{"Lieferando", "5814", "restaurants", "Berlin", 14, 55},
		{"Aral Tankstelle", "5541", "fuel", "Leipzig", 40, 110},
		{"MediaMarkt", "5732", "shopping", "Frankfurt am Main", 30, 900},
		{"Zalando", "5691", "shopping", "Berlin", 25, 220},
	},
	"GBP": {
		{"Tesco", "5411", "groceries", "London", 6, 120},
		{"Sainsbury's", "5411", "groceries", "London", 8, 140},
		{"Transport for London", "4111", "transport", "London", 1.75, 40},
		{"Pret A Manger", "5814", "restaurants", "London", 4, 18},
		{"Boots", "5912", "health", "Manchester", 4, 60},
		{"Amazon UK", "5942", "shopping", "London", 8, 250},
		{"Deliveroo", "5814", "restaurants", "London", 14, 48},
		{"Shell", "5541", "fuel", "Bristol", 35, 95},
		{"John Lewis", "5311", "shopping", "Leeds", 20, 400},
	},
	"USD": {
		{"Whole Foods Market", "5411", "groceries", "Austin", 12, 210},
		{"Starbucks", "5814", "restaurants", "Seattle", 4, 16},
		{"Uber", "4121", "transport", "San Francisco", 9, 65},
		{"Amazon.com", "5942", "shopping", "Seattle", 10, 300},
		{"Shell Oil", "5541", "fuel", "Houston", 30, 85},
		{"CVS Pharmacy", "5912", "health", "New York", 6, 75},
		{"Target", "5310", "shopping", "Minneapolis", 15, 260},
		{"Chipotle", "5814", "restaurants", "Denver", 10, 35},
	},
}

type bill struct {
	day            int
	name, category string
	typ            string
	lo, hi         float64
}

// monthlyBills are an individual's recurring payments per currency.
var monthlyBills = map[string][]bill{
	"BRL": {
		{10, "Aluguel", "rent", "pix", 1500, 4500},
		{15, "Enel Distribuição", "utilities", "boleto", 120, 380},
		{18, "Sabesp", "utilities", "boleto", 60, 180},
		{20, "Vivo Fibra", "utilities", "boleto", 99.9, 149.9},
	},
	"EUR": {
		{1, "Miete Hausverwaltung", "rent", "sepa", 900, 1800},
		{15, "Stadtwerke", "utilities", "sepa", 80, 160},
		{20, "Telekom Deutschland", "utilities", "sepa", 39.95, 59.95},
	},
	"GBP": {
		{1, "Rent", "rent", "fps", 900, 2200},
		{12, "British Gas", "utilities", "fps", 60, 140},
		{14, "Thames Water", "utilities", "fps", 30, 50},
		{16, "Council Tax", "taxes", "fps", 120, 190},
	},
	"USD": {
		{1, "Rent - Oakwood Apartments", "rent", "ach", 1400, 3200},
		{12, "Con Edison", "utilities", "ach", 60, 180},
		{18, "Verizon Wireless", "utilities", "ach", 70, 120},
	},
}

type fee struct {
	amount int64
	text   string
}

var monthlyFees = map[string]fee{
	"BRL": {3990, "Tarifa pacote de serviços"},
	"EUR": {490, "Kontoführungsgebühr"},
	"USD": {1200, "Monthly maintenance fee"},
}

var businessFee = map[string]int64{"BRL": 8990, "GBP": 600, "EUR": 1290, "USD": 1500}

var businessFeeText = map[string]string{"BRL": "Tarifa pacote PJ", "GBP": "Business account fee", "EUR": "Kontoführung Geschäftskonto", "USD": "Business account fee"}

var salaryText = map[string]string{"BRL": "Salário", "EUR": "Gehalt", "GBP": "Salary", "USD": "Payroll"}

var transferText = map[string][2]string{
	"BRL": {"Pix enviado para", "Pix recebido de"},
	"EUR": {"Überweisung an", "Überweisung von"},
	"GBP": {"Faster Payment to", "Faster Payment from"},
	"USD": {"Zelle to", "Zelle from"},
}

var supplierText = map[string]string{"BRL": "Pagamento fornecedor", "GBP": "Supplier payment", "EUR": "Lieferantenzahlung", "USD": "Vendor payment"}

var payrollText = map[string]string{"BRL": "Folha de pagamento", "GBP": "Payroll BACS", "EUR": "Lohnzahlungen", "USD": "Payroll ACH"}

var taxText = map[string]string{"BRL": "DAS Simples Nacional", "GBP": "HMRC VAT", "EUR": "Finanzamt Umsatzsteuer", "USD": "IRS EFTPS"}
