# ruff: noqa: E501
# Translations added by the lead after merging (dossier details, outcome figures).
T = {
    "Outcome: no action": "Výsledek: bez zásahu",
    "Outcome: engaged": "Výsledek: kontaktován policií",
    "Outcome: arrested": "Výsledek: zadržen",
    "Outcome: other": "Výsledek: jiný",
    "camera %(number)s": "kamera %(number)s",
    "person sought %(number)s": "hledaná osoba %(number)s",
    "fields changed": "změněná pole",
    "cameras added": "přidané kamery",
    "cameras removed": "odebrané kamery",
    "category": "kategorie",
    "urgency ends": "konec naléhavosti",
    "authorised from": "povoleno od",
    "authorised until": "povoleno do",
    "threshold": "práh",
    "start": "začátek",
    "end": "konec",
    "persons left out": "vynechané osoby",
    "cameras left out": "vynechané kamery",
    "%(requested)s requested, %(allowed)s allowed": "požadováno %(requested)s, povoleno %(allowed)s",
    "none": "žádný",
}
T.update(
    {
        "(a) Targeted search for specific victims or missing persons": "(a) Cílené pátrání po konkrétních obětech nebo pohřešovaných osobách",
        "Targeted search for specific victims of abduction, trafficking in human beings or sexual exploitation of human beings, as well as the search for missing persons.": "Cílené pátrání po konkrétních obětech únosů, obchodování s lidmi nebo sexuálního vykořisťování lidí, jakož i pátrání po pohřešovaných osobách.",
        "(b) Prevention of a specific, substantial and imminent threat": "(b) Prevence konkrétního, závažného a bezprostředního ohrožení",
        "Prevention of a specific, substantial and imminent threat to the life or physical safety of natural persons, or of a genuine and present or foreseeable threat of a terrorist attack.": "Prevence konkrétního, závažného a bezprostředního ohrožení života nebo fyzické bezpečnosti fyzických osob nebo skutečné a současné či předvídatelné hrozby teroristického útoku.",
        "(c) Locating a suspect of a serious criminal offence": "(c) Lokalizace osoby podezřelé ze závažného trestného činu",
        "Localisation or identification of a person suspected of having committed a criminal offence listed in Annex II of the AI Act, punishable by a custodial sentence of a maximum period of at least four years.": "Lokalizace nebo identifikace osoby podezřelé ze spáchání trestného činu uvedeného v příloze II aktu o umělé inteligenci, za který lze uložit trest odnětí svobody s horní hranicí nejméně čtyři roky.",
    }
)
