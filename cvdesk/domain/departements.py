"""The départements' names as a sentence uses them (« du Nord », « de l'Ain ») and the region each belongs to."""
from __future__ import annotations

# The reference extract holds département codes only; the assistant names the usual partners (« Département du
# Doubs », « Région Bourgogne-Franche-Comté ») from this table. Collectivités à statut particulier (Paris, Corse,
# Alsace, Martinique, Guyane, Métropole de Lyon) keep the plain form: the coordinator edits the name if needed.
_OF_DEPARTEMENT: dict[str, str] = {
    "01": "de l'Ain", "02": "de l'Aisne", "03": "de l'Allier", "04": "des Alpes-de-Haute-Provence",
    "05": "des Hautes-Alpes", "06": "des Alpes-Maritimes", "07": "de l'Ardèche", "08": "des Ardennes",
    "09": "de l'Ariège", "10": "de l'Aube", "11": "de l'Aude", "12": "de l'Aveyron", "13": "des Bouches-du-Rhône",
    "14": "du Calvados", "15": "du Cantal", "16": "de la Charente", "17": "de la Charente-Maritime", "18": "du Cher",
    "19": "de la Corrèze", "2A": "de la Corse-du-Sud", "2B": "de la Haute-Corse", "21": "de la Côte-d'Or",
    "22": "des Côtes-d'Armor", "23": "de la Creuse", "24": "de la Dordogne", "25": "du Doubs", "26": "de la Drôme",
    "27": "de l'Eure", "28": "d'Eure-et-Loir", "29": "du Finistère", "30": "du Gard", "31": "de la Haute-Garonne",
    "32": "du Gers", "33": "de la Gironde", "34": "de l'Hérault", "35": "d'Ille-et-Vilaine", "36": "de l'Indre",
    "37": "d'Indre-et-Loire", "38": "de l'Isère", "39": "du Jura", "40": "des Landes", "41": "de Loir-et-Cher",
    "42": "de la Loire", "43": "de la Haute-Loire", "44": "de la Loire-Atlantique", "45": "du Loiret", "46": "du Lot",
    "47": "de Lot-et-Garonne", "48": "de la Lozère", "49": "de Maine-et-Loire", "50": "de la Manche",
    "51": "de la Marne", "52": "de la Haute-Marne", "53": "de la Mayenne", "54": "de Meurthe-et-Moselle",
    "55": "de la Meuse", "56": "du Morbihan", "57": "de la Moselle", "58": "de la Nièvre", "59": "du Nord",
    "60": "de l'Oise", "61": "de l'Orne", "62": "du Pas-de-Calais", "63": "du Puy-de-Dôme",
    "64": "des Pyrénées-Atlantiques", "65": "des Hautes-Pyrénées", "66": "des Pyrénées-Orientales",
    "67": "du Bas-Rhin", "68": "du Haut-Rhin", "69": "du Rhône", "70": "de la Haute-Saône", "71": "de Saône-et-Loire",
    "72": "de la Sarthe", "73": "de la Savoie", "74": "de la Haute-Savoie", "75": "de Paris",
    "76": "de la Seine-Maritime", "77": "de Seine-et-Marne", "78": "des Yvelines", "79": "des Deux-Sèvres",
    "80": "de la Somme", "81": "du Tarn", "82": "de Tarn-et-Garonne", "83": "du Var", "84": "de Vaucluse",
    "85": "de la Vendée", "86": "de la Vienne", "87": "de la Haute-Vienne", "88": "des Vosges", "89": "de l'Yonne",
    "90": "du Territoire de Belfort", "91": "de l'Essonne", "92": "des Hauts-de-Seine",
    "93": "de la Seine-Saint-Denis", "94": "du Val-de-Marne", "95": "du Val-d'Oise", "971": "de la Guadeloupe",
    "972": "de la Martinique", "973": "de la Guyane", "974": "de La Réunion", "976": "de Mayotte",
}

_REGIONS: dict[str, tuple[str, ...]] = {
    "Auvergne-Rhône-Alpes": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "Bourgogne-Franche-Comté": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "Bretagne": ("22", "29", "35", "56"),
    "Centre-Val de Loire": ("18", "28", "36", "37", "41", "45"),
    "Corse": ("2A", "2B"),
    "Grand Est": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "Hauts-de-France": ("02", "59", "60", "62", "80"),
    "Île-de-France": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "Normandie": ("14", "27", "50", "61", "76"),
    "Nouvelle-Aquitaine": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "Occitanie": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "Pays de la Loire": ("44", "49", "53", "72", "85"),
    "Provence-Alpes-Côte d'Azur": ("04", "05", "06", "13", "83", "84"),
    "Guadeloupe": ("971",), "Martinique": ("972",), "Guyane": ("973",), "La Réunion": ("974",),
    "Mayotte": ("976",),
}
_REGION_OF = {code: region for region, codes in _REGIONS.items() for code in codes}


def of_departement(code: str) -> str:
    """« du Doubs » for 25; « du département 975 » for a code without a département council."""
    return _OF_DEPARTEMENT.get(code.strip().upper(), f"du département {code.strip()}")


def region_of(code: str) -> str | None:
    """The region of a département (« Bourgogne-Franche-Comté » for 25), None for the collectivités d'outre-mer."""
    return _REGION_OF.get(code.strip().upper())
