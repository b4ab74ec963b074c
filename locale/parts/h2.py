"""Czech of the data protection office's side (helper h2): deployments, notifications, reports, dossiers,
data-subject requests, what left a case. Plurals: (1, 2-4, 5+)."""

NB = "\u00a0"  # non-breaking space (before "%")

T = {
    # office_forms.py
    "Name": "Název",
    "Locations": "Místa",
    "The named locations covered.": "Pojmenovaná místa, která nasazení pokrývá.",
    "Request to the office": "Žádost Úřadu",
    "What the office was asked.": "Na co byl Úřad dotázán.",
    "Requested on": "Datum žádosti",
    "e.g. 2026-03-01": "např. 1. 3. 2026",
    "Cameras": "Kamery",
    "Opinion": "Stanovisko",
    "Opinion given on": "Datum stanoviska",
    "Conditions": "Podmínky",
    "Document": "Dokument",
    "The opinion, PDF or plain text.": "Stanovisko jako PDF nebo prostý text.",
    "Year": "Rok",
    "Format": "Formát",
    "PDF with charts": "PDF s grafy",
    "CSV": "CSV",
    "Justification": "Odůvodnění",
    "Recipients": "Příjemci",
    "Who receives this report": "Kdo zprávu obdrží",
    # office_views.py, subject_views.py
    "Deployment %(name)s registered; the office can now give its opinion.": (
        "Nasazení %(name)s bylo zaregistrováno; Úřad nyní může vydat stanovisko."
    ),
    "Opinion recorded.": "Stanovisko bylo zaznamenáno.",
    "Cameras saved.": "Kamery byly uloženy.",
    "Request %(number)s recorded; the findings are below.": "Žádost %(number)s byla zaznamenána; nálezy najdete níže.",
    "The decisions were carried out and recorded.": "Rozhodnutí byla provedena a zaznamenána.",
    # reports: figures
    "Requests": "Žádosti",
    "Approvals": "Povolení",
    "Refusals": "Zamítnutí",
    "Urgent uses": "Naléhavá použití",
    "Uses (activations)": "Použití (aktivace)",
    "Hours of use": "Hodiny použití",
    "No action": "Bez zásahu",
    "Engaged": "Kontaktován",
    "Arrested": "Zadržen",
    "Other": "Jiné",
    "Outcome not recorded": "Výsledek nezaznamenán",
    "Scans": "Skenování",
    "Frames read": "Načtené snímky",
    "Faces processed": "Zpracované obličeje",
    "Matches": "Shody",
    "Alerts": "Upozornění",
    "Verified alerts": "Ověřená upozornění",
    "False alerts": "Planá upozornění",
    "Alerts awaiting verification": "Upozornění čekající na ověření",
    "n/a": "nelze určit",
    "percentage\x04%(value)s%%": f"%(value)s{NB}%%",
    # reports: documents
    "Faces processed: faces detected and compared while a case was active; faces that do not match are discarded "
    "at once and only counted. Verified alerts were confirmed by two people; false alerts were rejected by a "
    "verifier. False alert rate per face processed = false alerts / faces processed; per alert = false alerts / "
    "alerts. A use (activation) begins at the urgent start or the authorised start and ends when the case ended.": (
        "Zpracované obličeje: obličeje zjištěné a porovnané v době, kdy byl případ aktivní; obličeje bez shody se "
        "okamžitě zahazují a pouze se započítají. Ověřená upozornění potvrdily dvě osoby; planá upozornění "
        "odmítl ověřovatel. Míra planých upozornění na zpracovaný obličej = planá upozornění / zpracované "
        "obličeje; na upozornění = planá upozornění / upozornění. Použití (aktivace) začíná naléhavým zahájením "
        "nebo povoleným začátkem a končí ukončením případu."
    ),
    "False alert rate per face processed": "Míra planých upozornění na zpracovaný obličej",
    "False alert rate per alert": "Míra planých upozornění na upozornění",
    "Mean duration of a use (hours)": "Průměrná doba použití (hodiny)",
    "Longest use (hours)": "Nejdelší použití (hodiny)",
    "Shortest use (hours)": "Nejkratší použití (hodiny)",
    "Uses still running": "Dosud probíhající použití",
    "Cameras used": "Použité kamery",
    "Locations used": "Použitá místa",
    "Used": "Použito",
    "Section": "Oddíl",
    "Period or group": "Období nebo skupina",
    "Figure (code)": "Ukazatel (kód)",
    "Value": "Hodnota",
    "Figure": "Ukazatel",
    "Requests and decisions by month, %(year)s": "Žádosti a rozhodnutí po měsících, %(year)s",
    "Cases": "Případy",
    "Alerts by month, %(year)s": "Upozornění po měsících, %(year)s",
    "Verified": "Ověřená",
    "False": "Planá",
    "Faces processed by month, %(year)s": "Zpracované obličeje po měsících, %(year)s",
    "Faces": "Obličeje",
    "Uses and outcomes by objective, %(year)s": "Použití a výsledky podle účelu, %(year)s",
    "Uses": "Použití",
    "none": "žádné",
    "Annual report %(year)s: live facial recognition": "Výroční zpráva %(year)s: rozpoznávání obličejů v reálném čase",
    "Produced %(when)s for the data protection office.": "Vyhotoveno %(when)s pro Úřad pro ochranu osobních údajů.",
    "The year in figures": "Rok v číslech",
    "Cameras: %(names)s": "Kamery: %(names)s",
    "Locations: %(names)s": "Místa: %(names)s",
    "Charts": "Grafy",
    "By month": "Po měsících",
    "Month": "Měsíc",
    "By objective": "Podle účelu",
    "Objective": "Účel",
    "Deployment records": "Záznamy o nasazení",
    "Annual report %(year)s": "Výroční zpráva %(year)s",
    "Case dossier %(reference)s": "Spis případu %(reference)s",
    "Status: %(status)s. Produced %(when)s.": "Stav: %(status)s. Vyhotoveno %(when)s.",
    "In figures": "V číslech",
    "%(title)s - page %(page)s": "%(title)s – strana %(page)s",
    "None.": "Žádné.",
    # reports: dossier
    "attached": "přiloženo",
    "missing": "chybí",
    "Case reference": "Číslo případu",
    "Requesting unit": "Žádající útvar",
    "Submitted": "Podáno",
    "Urgent start": "Naléhavé zahájení",
    "Urgency reason": "Důvod naléhavosti",
    "Person sought %(number)s": "Hledaná osoba %(number)s",
    "Camera %(name)s": "Kamera %(name)s",
    "The request and its reasons": "Žádost a její odůvodnění",
    "Item": "Položka",
    "%(start)s to %(end)s, threshold %(threshold)s, persons %(persons)s, cameras %(cameras)s": (
        "%(start)s až %(end)s, práh %(threshold)s, osoby %(persons)s, kamery %(cameras)s"
    ),
    "granted": "povoleno",
    "refused": "zamítnuto",
    "Decision": "Rozhodnutí",
    "Scope allowed": "Povolený rozsah",
    "Vote": "Hlas",
    "vote\x04for": "pro",
    "vote\x04against": "proti",
    "Decisions and votes": "Rozhodnutí a hlasování",
    "Kind": "Druh",
    "By": "Kdo",
    "When": "Kdy",
    "Verdict": "Výrok",
    "Reasons": "Odůvodnění",
    "Event": "Událost",
    "Who": "Kdo",
    "What": "Co",
    "Details": "Podrobnosti",
    "Scope changes and states": "Změny rozsahu a stavy",
    "Deletions": "Výmazy",
    "Consultations and disclosures": "Nahlédnutí a zpřístupnění",
    "Part or format": "Část nebo formát",
    "Basis or justification": "Důvod nebo odůvodnění",
    "In use": "V provozu",
    "%(start)s to %(end)s": "%(start)s až %(end)s",
    "never activated": "nikdy neaktivován",
    # reports: records
    "Date": "Datum",
    "Case": "Případ",
    "Deployment": "Nasazení",
    "Start": "Začátek",
    "End": "Konec",
    "Duration (hours)": "Doba trvání (hodiny)",
    "Authorised by": "Povolil",
    "Watchlist size": "Počet hledaných osob",
    "Threshold": "Práh",
    "Awaiting verification": "Čeká na ověření",
    "%(end)s (running)": "%(end)s (probíhá)",
    "yes": "ano",
    "no": "ne",
    # selectors (findings of a data-subject request)
    "Case %(reference)s": "Případ %(reference)s",
    "Person %(name)s in case %(reference)s": "Osoba %(name)s v případu %(reference)s",
    "Person %(number)s (erased)": "Osoba %(number)s (vymazána)",
    "%(kind)s %(number)s of case %(reference)s": "%(kind)s %(number)s případu %(reference)s",
    # services: deployments
    "Give camera ids as numbers.": "Zadejte identifikátory kamer jako čísla.",
    "Unknown cameras: %(ids)s.": "Neznámé kamery: %(ids)s.",
    "Only platform administrators register deployments.": "Nasazení registrují pouze správci platformy.",
    "Give the deployment a name.": "Zadejte název nasazení.",
    "Name the locations the deployment covers.": "Uveďte místa, která nasazení pokrývá.",
    "Describe what the office was asked.": "Popište, na co byl Úřad dotázán.",
    "Give the date the office was asked.": "Zadejte datum, kdy byl Úřad požádán.",
    "Only platform administrators change deployments.": "Nasazení mění pouze správci platformy.",
    "Only the data protection office records its opinion.": "Stanovisko zaznamenává pouze Úřad.",
    "Choose favourable, favourable with conditions, or unfavourable.": (
        "Zvolte souhlasné, souhlasné s podmínkami, nebo nesouhlasné."
    ),
    "Give the date of the opinion.": "Zadejte datum stanoviska.",
    "The opinion cannot be dated in the future.": "Stanovisko nemůže mít datum v budoucnosti.",
    "State the office's conditions.": "Uveďte podmínky Úřadu.",
    # services: notifications
    "Urgent use started": "Zahájeno naléhavé použití",
    "Use authorised": "Použití povoleno",
    "Use ended": "Použití skončilo",
    "notification\x04a judge": "soudce",
    "notification\x04the commission": "komise",
    "how a use ended\x04the time window expired": "časové okno vypršelo",
    "how a use ended\x04revoked": "odvoláno",
    "how a use ended\x04closed": "uzavřeno",
    "how a use ended\x04authorisation refused": "povolení zamítnuto",
    "Case %(reference)s of %(unit)s started live facial recognition urgently, before authorisation.": (
        "Případ %(reference)s útvaru %(unit)s naléhavě zahájil rozpoznávání obličejů v reálném čase, ještě před "
        "povolením."
    ),
    "Case %(reference)s of %(unit)s was authorised by %(authority)s.": (
        "Použití v případu %(reference)s útvaru %(unit)s bylo povoleno %(authority)s."
    ),
    "authorised by\x04a judge": "soudcem",
    "authorised by\x04the commission": "komisí",
    "The use of live facial recognition in case %(reference)s ended: %(how)s.": (
        "Použití rozpoznávání obličejů v reálném čase v případu %(reference)s skončilo: %(how)s."
    ),
    "Only the data protection office reads its notifications.": "Svá oznámení čte pouze Úřad.",
    # services: reports
    "Only the data protection office produces these reports.": "Tyto zprávy vyhotovuje pouze Úřad.",
    "Say why the report is produced.": "Uveďte, proč se zpráva vyhotovuje.",
    "Say who receives the report.": "Uveďte, kdo zprávu obdrží.",
    "Choose a year between 2000 and %(last)s.": "Zvolte rok od 2000 do %(last)s.",
    "Choose PDF or CSV.": "Zvolte PDF, nebo CSV.",
    # services: subject requests
    "Only the data protection office handles data-subject requests.": "Žádosti subjektů údajů vyřizuje pouze Úřad.",
    "Choose access, rectification, erasure or restriction.": "Zvolte přístup, opravu, výmaz, nebo omezení.",
    "Give the person's full name (given name and family name).": "Zadejte celé jméno osoby (jméno a příjmení).",
    "The photo is empty.": "Fotografie je prázdná.",
    "The face search is not available on this installation.": (
        "Vyhledávání podle obličeje není v této instalaci k dispozici."
    ),
    "Choose a decision.": "Zvolte rozhodnutí.",
    "Say why no action is taken.": "Uveďte, proč se nic nepodniká.",
    "This request is completed; its decisions are final.": "Tato žádost je vyřízena; její rozhodnutí jsou konečná.",
    "Decide every item first (%(count)d undecided).": (
        "Nejprve rozhodněte o každé položce (%(count)d nerozhodnutá).",
        "Nejprve rozhodněte o každé položce (%(count)d nerozhodnuté).",
        "Nejprve rozhodněte o každé položce (%(count)d nerozhodnutých).",
    ),
    "Nothing knows how to erase %(kind)s.": "Pro %(kind)s není k dispozici žádný způsob výmazu.",
    "Say why the restriction is lifted.": "Uveďte, proč se omezení ruší.",
    # templates: annual report, records
    "Notifications": "Oznámení",
    "Mean / longest use (hours)": "Průměrné / nejdelší použití (hodiny)",
    "Download (recorded as a disclosure)": "Stažení (zaznamená se jako zpřístupnění)",
    "Download the annual report": "Stáhnout výroční zprávu",
    "Deployment records %(year)s": "Záznamy o nasazení %(year)s",
    "Annual report": "Výroční zpráva",
    "One row per use of a case. False alert rate per face processed = false alerts / faces processed; per alert = "
    "false alerts / alerts.": (
        "Jeden řádek za každé použití případu. Míra planých upozornění na zpracovaný obličej = planá upozornění / "
        "zpracované obličeje; na upozornění = planá upozornění / upozornění."
    ),
    "No use of live facial recognition in %(year)s.": (
        "V roce %(year)s nebylo rozpoznávání obličejů v reálném čase použito."
    ),
    "Download as CSV (recorded as a disclosure)": "Stáhnout jako CSV (zaznamená se jako zpřístupnění)",
    "Download deployment records": "Stáhnout záznamy o nasazení",
    # templates: dossier, deletions
    "Dossier %(reference)s": "Spis %(reference)s",
    "Dossier of %(reference)s": "Spis případu %(reference)s",
    "This consultation is recorded.": "Toto nahlédnutí se zaznamenává.",
    "Download as PDF": "Stáhnout jako PDF",
    "Case page": "Stránka případu",
    "What left case %(reference)s": "Co bylo z případu %(reference)s odstraněno",
    "Each line is one rule's deletion (or reduction) in one run: counts and identifiers, never content. The case's "
    "reference, dates, statuses and these counts stay; the audit trail holds the same facts.": (
        "Každý řádek je jeden výmaz (nebo omezení) podle jednoho pravidla v jednom běhu: počty a identifikátory, "
        "nikdy obsah. Číslo případu, data, stavy a tyto počty zůstávají; auditní záznam obsahuje tytéž údaje."
    ),
    "Free text reduced %(when)s.": "Volný text omezen %(when)s.",
    "Urgent use refused or lapsed: everything the urgent use produced deleted %(when)s.": (
        "Naléhavé použití zamítnuto nebo propadlo: vše, co naléhavé použití vytvořilo, vymazáno %(when)s."
    ),
    "Rule": "Pravidlo",
    "Action": "Úkon",
    "Count": "Počet",
    "Identifiers": "Identifikátory",
    "Audit event": "Auditní událost",
    "deleted": "vymazáno",
    "reduced": "omezeno",
    "Nothing has been deleted from this case yet.": "Z tohoto případu zatím nebylo nic vymazáno.",
    "The case": "Případ",
    # templates: deployments
    "asked %(date)s": "požádáno %(date)s",
    "given %(date)s": "vydáno %(date)s",
    "awaited: cases cannot use these cameras yet": "očekává se: případy zatím tyto kamery použít nemohou",
    "download": "stáhnout",
    "recorded": "zaznamenává se",
    "Record the office's opinion": "Zaznamenat stanovisko Úřadu",
    "Record opinion": "Zaznamenat stanovisko",
    "Cameras of this deployment": "Kamery tohoto nasazení",
    "Save cameras": "Uložit kamery",
    "All deployments": "Všechna nasazení",
    "New deployment": "Nové nasazení",
    "Register a deployment": "Zaregistrovat nasazení",
    "Register": "Zaregistrovat",
    "Deployments": "Nasazení",
    "A case may use only cameras of a deployment on which the data protection office has given a favourable "
    "opinion, with or without conditions.": (
        "Případ smí používat pouze kamery nasazení, k němuž Úřad pro ochranu osobních údajů vydal souhlasné "
        "stanovisko, s podmínkami nebo bez nich."
    ),
    "Office asked": "Dotaz na Úřad",
    "awaited": "očekává se",
    "No deployment registered.": "Žádné nasazení není zaregistrováno.",
    # templates: notifications
    "Notifications to the data protection office": "Oznámení Úřadu pro ochranu osobních údajů",
    "Every start and every end of a use of live facial recognition. Persons sought are never named here.": (
        "Každé zahájení a každé ukončení použití rozpoznávání obličejů v reálném čase. Hledané osoby se zde "
        "nikdy nejmenují."
    ),
    "Window": "Časové okno",
    "Authority": "Rozhodující orgán",
    "Read": "Přečteno",
    "ended %(ended)s": "ukončeno %(ended)s",
    "urgent start": "naléhavé zahájení",
    "Mark read": "Označit jako přečtené",
    "No notifications.": "Žádná oznámení.",
    # templates: data-subject requests
    "Carry out the request": "Provést žádost",
    "Carry out request %(number)s (%(kind)s)?": "Provést žádost %(number)s (%(kind)s)?",
    "Every decision below is carried out at once and the request is completed; its decisions then become final.": (
        "Všechna níže uvedená rozhodnutí se ihned provedou a žádost se uzavře jako vyřízená; její rozhodnutí pak "
        "budou konečná."
    ),
    "Erased data cannot be restored, and the person's name is removed from the request.": (
        "Vymazané údaje nelze obnovit a jméno osoby se ze žádosti odstraní."
    ),
    "%(counter)s item is not decided yet: decide it first.": (
        "%(counter)s položka ještě není rozhodnuta: nejprve o ní rozhodněte.",
        "%(counter)s položky ještě nejsou rozhodnuty: nejprve o nich rozhodněte.",
        "%(counter)s položek ještě není rozhodnuto: nejprve o nich rozhodněte.",
    ),
    "Nothing stored concerns this person.": "Nic z uložených údajů se této osoby netýká.",
    "Confirm and carry out": "Potvrdit a provést",
    "Cancel, go back to the request": "Zrušit a vrátit se k žádosti",
    "Data-subject request %(number)s": "Žádost subjektu údajů %(number)s",
    "Request %(number)s: %(kind)s": "Žádost %(number)s: %(kind)s",
    "Person": "Osoba",
    "Recorded": "Zaznamenáno",
    "%(when)s by %(who)s": "%(when)s (%(who)s)",
    "Request": "Žádost",
    "Face search": "Vyhledávání podle obličeje",
    "queued": "ve frontě",
    "done": "dokončeno",
    "failed": "selhalo",
    "Completed": "Vyřízeno",
    "Findings": "Nálezy",
    "Found by": "Nalezeno podle",
    "found by\x04name": "jména",
    "found by\x04face": "obličeje",
    "found by\x04link": "vazby",
    "Restricted": "Omezeno",
    "Restriction lifted %(when)s": "Omezení zrušeno %(when)s",
    "Decide": "Rozhodnout",
    "Why lift it": "Proč omezení zrušit",
    "Lift restriction": "Zrušit omezení",
    "Carry out every decision and complete the request": "Provést všechna rozhodnutí a vyřídit žádost",
    "All requests": "Všechny žádosti",
    "Data-subject requests": "Žádosti subjektů údajů",
    "Access, rectification, erasure and restriction requests about a person named in cases. The platform finds "
    "every case, person, photo, alert and review about them by name and, if you add a photo, by face against the "
    "templates of active cases. While a request is open, what it found is held back from the retention schedule.": (
        "Žádosti o přístup, opravu, výmaz a omezení zpracování týkající se osoby uvedené v případech. Platforma "
        "najde každý případ, osobu, fotografii, upozornění a posouzení, které se jí týkají, podle jména, a pokud "
        "přidáte fotografii, i podle obličeje porovnáním se šablonami aktivních případů. Dokud je žádost otevřená, "
        "nalezené údaje jsou vyňaty z plánu uchovávání."
    ),
    "Record a request": "Zaznamenat žádost",
    "Record and search": "Zaznamenat a vyhledat",
    "Status": "Stav",
    "No requests.": "Žádné žádosti.",
}
