"""The words members text, in the seven languages the service speaks. Pure data.

Every entry is written in upper case as people type it, with its diacritics; the parser folds
both sides (see `service.keywords.fold`), so DOŁĄCZ, DOLACZ and dolacz are one word, and splits
on punctuation, so SUNĂ-MĂ and SUNA MA are one phrase. Urdu, Punjabi and Gujarati give the word
in its own script and then the romanised forms people type on basic phones.

The first word of each language is the one replies show, and the glossary's keyword
(locales/<lang>/glossary.toml); the English first word is the canonical spelling. After
folding, a phrase belongs to one command only, across all languages.
Twilio's own opt-out and opt-in words (STOP, START and the rest) appear nowhere here: Twilio acts
on them before the service sees them. A command phrase is at most three words long.
"""

from __future__ import annotations

LANGUAGES = ("en", "pl", "ro", "ur", "pa", "gu", "so")

# Command words a member may text, per command and language. Phrases of several words are allowed.
COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    # List the networks.
    "networks": {
        "en": ("NETWORKS", "LIST", "GROUPS"),
        "pl": ("GRUPY", "LISTA", "SIECI", "GRUPA"),
        "ro": ("GRUPURI", "REȚELE", "LISTĂ", "GRUPURILE"),
        "ur": ("گروپ", "گروپس", "فہرست", "نیٹ ورک", "نیٹ ورکس", "FEHRIST"),
        "pa": ("ਗਰੁੱਪ", "ਸੂਚੀ", "ਨੈੱਟਵਰਕ", "SUCHI", "SOOCHI"),
        "gu": ("જૂથ", "જૂથો", "ગ્રુપ", "યાદી", "નેટવર્ક", "JUTH", "JOOTH", "YADI", "YAADI"),
        "so": ("KOOXAHA", "SHABAKADAHA", "LIISKA"),
    },
    # JOIN <network>.
    "join": {
        "en": ("JOIN",),
        "pl": ("DOŁĄCZ", "ZAPISZ", "ZAPISZ MNIE"),
        "ro": ("ÎNSCRIE", "ÎNSCRIE-TE", "ÎNSCRIERE", "ALĂTURĂ", "ALĂTURĂ-TE"),
        "ur": ("شامل", "شامل ہوں", "SHAMIL", "SHAMIL HO"),
        "pa": ("ਜੁੜੋ", "ਸ਼ਾਮਲ", "JURO", "SHAMAL"),
        "gu": ("જોડાઓ", "JODAO", "JODAVO"),
        "so": ("KU BIIR", "BIIR"),
    },
    # LEAVE <network>; LEAVE ALL is this word and a word from "all".
    "leave": {
        "en": ("LEAVE",),
        "pl": ("OPUŚĆ", "WYPISZ", "WYPISZ MNIE"),
        "ro": ("PĂRĂSEȘTE", "IEȘI", "RETRAGE-MĂ"),
        "ur": ("چھوڑیں", "چھوڑ دو", "CHHORO", "CHORO", "CHHOR DO"),
        "pa": ("ਛੱਡੋ", "CHHADO", "CHADDO", "CHHADDO"),
        "gu": ("છોડો", "CHHODO"),
        "so": ("KA BAX", "BAX"),
    },
    # The word ALL, after LEAVE and EVENTS. One word each: the parser reads a single word there.
    "all": {
        "en": ("ALL",),
        "pl": ("WSZYSTKIE", "WSZYSTKO"),
        "ro": ("TOATE", "TOT"),
        "ur": ("سبھی", "تمام", "SAB", "SABHI", "TAMAM"),
        "pa": ("ਸਾਰੇ", "SAARE", "SARE", "SABH"),
        "gu": ("બધા", "બધું", "BADHA", "BADHU"),
        "so": ("DHAMMAAN", "KULLIGOOD"),
    },
    # What's on.
    "events": {
        "en": ("EVENTS", "WHATSON", "WHATS ON"),
        "pl": ("WYDARZENIA", "SPOTKANIA"),
        "ro": ("EVENIMENTE", "ÎNTÂLNIRI"),
        # PROGRAM: the word Urdu, Punjabi and Gujarati speakers use, typed in Latin letters.
        "ur": ("پروگرام", "تقریبات", "TAQREEBAT", "PROGRAM", "PROGRAMME", "PROGRAMS"),
        "pa": ("ਸਮਾਗਮ", "ਪ੍ਰੋਗਰਾਮ", "SAMAGAM", "PROGRAM"),
        "gu": ("કાર્યક્રમ", "કાર્યક્રમો", "પ્રોગ્રામ", "KARYAKRAM", "PROGRAM"),
        "so": ("DHACDOOYINKA", "MUNAASABADAHA"),
    },
    # RSVP to event n: GOING 2.
    "going": {
        "en": ("GOING", "ATTEND"),
        "pl": ("IDĘ", "BĘDĘ", "BIORĘ UDZIAŁ"),
        "ro": ("MERG", "PARTICIP", "VIN"),
        "ur": ("آؤں گا", "آؤں گی", "AAUNGA", "AAUNGI", "AUNGA", "AUNGI"),
        "pa": ("ਆਵਾਂਗਾ", "ਆਵਾਂਗੀ", "AAVANGA", "AVANGA", "AAVANGI"),
        "gu": ("આવીશ", "AAVISH", "AVISH"),
        "so": ("IMANAYAA", "WAAN IMANAYAA", "WAAN IMAN DOONAA"),
    },
    # Cancel an RSVP: NOT GOING 2.
    "not_going": {
        "en": ("NOT GOING", "CANT GO"),
        "pl": ("NIE IDĘ", "NIE BĘDĘ", "NIE PRZYJDĘ"),
        "ro": ("NU MERG", "NU PARTICIP", "NU VIN"),
        "ur": (
            "نہیں آؤں گا",
            "نہیں آؤں گی",
            "NAHI AAUNGA",
            "NAHI AAUNGI",
            "NAHIN AAUNGA",
            "NAHIN AAUNGI",
        ),
        "pa": ("ਨਹੀਂ ਆਵਾਂਗਾ", "ਨਹੀਂ ਆਵਾਂਗੀ", "NAHI AAVANGA", "NAHIN AAVANGA", "NAHI AAVANGI"),
        "gu": ("નહીં આવું", "નહીં આવી શકું", "NAHI AAVU", "NAHI AVU"),
        "so": ("MA IMANAYO", "IMAN MAAYO", "MA IMAN KARO"),
    },
    # Support lines.
    "talk": {
        "en": ("TALK", "SUPPORT", "HELPLINE"),
        "pl": ("WSPARCIE", "ROZMOWA", "POROZMAWIAJ", "TELEFON ZAUFANIA"),
        "ro": ("SPRIJIN", "VORBEȘTE", "SUPORT"),
        # مدد, ਮਦਦ, મદદ: the everyday word for support, on every screen; HELP has its own words.
        # MADAD in all three: a word shared by languages says nothing about which one is texting.
        "ur": (
            "مدد",
            "بات کریں",
            "سہارا",
            "ہیلپ لائن",
            "MADAD",
            "BAAT",
            "BAAT KARO",
            "BAAT KARNI HAI",
        ),
        "pa": ("ਮਦਦ", "ਗੱਲ ਕਰੋ", "ਸਹਾਇਤਾ", "MADAD", "GALL KARO", "GAL KARO", "SAHAITA"),
        "gu": ("મદદ", "વાત કરો", "ટેકો", "સહાય", "MADAD", "VAAT KARO", "VAT KARO", "SAHAY"),
        "so": ("TAAGEERO", "HADAL", "LA HADAL"),
    },
    # Ask for a call back.
    "call_me": {
        "en": ("CALL ME", "CALLBACK", "CALL BACK"),
        "pl": ("ZADZWOŃ", "ZADZWOŃ DO MNIE", "ODDZWOŃ"),
        "ro": ("SUNĂ-MĂ", "SUNAȚI-MĂ"),
        "ur": ("کال کریں", "مجھے کال کریں", "CALL KARO", "CALL KAREN", "MUJHE CALL KARO"),
        # ਫ਼ੋਨ ਕਰੋ too: the kiosk's call-back button says ਫ਼ੋਨ.
        "pa": (
            "ਕਾਲ ਕਰੋ",
            "ਮੈਨੂੰ ਕਾਲ ਕਰੋ",
            "ਫ਼ੋਨ ਕਰੋ",
            "ਮੈਨੂੰ ਫ਼ੋਨ ਕਰੋ",
            "CALL KARO",
            "MAINU CALL KARO",
            "MAINU PHONE KARO",
        ),
        "gu": ("ફોન કરો", "મને ફોન કરો", "PHONE KARO", "MANE PHONE KARO", "CALL KARO"),
        "so": ("I SOO WAC", "ISOO WAC", "WAC"),
    },
    # LANGUAGE <name>.
    "language": {
        "en": ("LANGUAGE", "LANG"),
        "pl": ("JĘZYK",),
        "ro": ("LIMBA",),
        "ur": ("زبان", "ZUBAN", "ZABAN", "ZUBAAN"),
        "pa": ("ਭਾਸ਼ਾ", "ਬੋਲੀ", "BHASHA", "BOLI"),
        "gu": ("ભાષા", "BHASHA"),
        "so": ("LUQADDA", "LUQAD"),
    },
    # What can I text?
    "help": {
        "en": ("HELP", "INFO", "MENU"),
        "pl": ("POMOC",),
        "ro": ("AJUTOR", "MENIU"),
        "ur": ("معلومات", "MALOOMAT", "MALUMAT"),
        "pa": ("ਜਾਣਕਾਰੀ", "JANKARI", "JAANKARI"),
        "gu": ("માહિતી", "MAHITI"),
        "so": ("CAAWIMAAD", "CAAWI", "MACLUUMAAD"),
    },
    # Erase my data.
    "forget_me": {
        "en": ("FORGET ME", "DELETE ME", "ERASE ME"),
        "pl": ("ZAPOMNIJ MNIE", "USUŃ MNIE", "USUŃ MOJE DANE"),
        "ro": ("UITĂ-MĂ", "ȘTERGE-MĂ", "ȘTERGE DATELE"),
        "ur": (
            "مجھے بھول جائیں",
            "میرا ڈیٹا مٹائیں",
            "MUJHE BHOOL JAO",
            "MUJHE BHUL JAO",
            "MERA DATA MITAO",
        ),
        "pa": ("ਮੈਨੂੰ ਭੁੱਲ ਜਾਓ", "ਮੇਰਾ ਡਾਟਾ ਮਿਟਾਓ", "MAINU BHUL JAO", "MAINU BHULL JAO"),
        "gu": ("મને ભૂલી જાઓ", "ડેટા કાઢી નાખો", "MANE BHULI JAO", "DATA KADHI NAKHO"),
        "so": ("I ILOOW", "TIRTIR XOGTAYDA"),
    },
    "yes": {
        "en": ("YES", "Y", "OK", "YEAH"),
        "pl": ("TAK",),
        "ro": ("DA",),
        "ur": ("ہاں", "جی ہاں", "HAAN", "HAN", "JI HAAN"),
        "pa": ("ਹਾਂ", "ਹਾਂਜੀ", "HAAN", "HAN", "HANJI", "HAANJI"),
        "gu": ("હા", "HA", "HAA"),
        "so": ("HAA", "HAYE"),
    },
    "no": {
        "en": ("NO", "N", "NOPE"),
        "pl": ("NIE",),
        "ro": ("NU",),
        "ur": ("نہیں", "جی نہیں", "NAHI", "NAHIN", "NAHEEN", "JI NAHI"),
        "pa": ("ਨਹੀਂ", "NAHI", "NAHIN", "NAHEEN"),
        "gu": ("ના", "નહીં", "નહિ", "NA", "NAHI"),
        "so": ("MAYA",),
    },
    # Texts may use a sensitive network's real name.
    "name": {
        "en": ("NAME", "OPEN"),
        "pl": ("NAZWA", "JAWNIE"),
        "ro": ("NUME", "DESCHIS"),
        "ur": ("نام", "NAAM"),
        "pa": ("ਨਾਮ", "NAAM"),
        "gu": ("નામ", "NAAM"),
        "so": ("MAGACA", "MAGAC"),
    },
    # Texts stay discreet about a sensitive network.
    "discreet": {
        "en": ("DISCREET", "PRIVATE"),
        "pl": ("DYSKRETNIE", "PRYWATNIE"),
        "ro": ("DISCRET", "PRIVAT"),
        "ur": ("رازداری", "خفیہ", "RAAZDARI", "RAZDARI", "KHUFIA"),
        "pa": ("ਗੁਪਤ", "ਨਿੱਜੀ", "GUPT", "NIJI", "NIJJI"),
        "gu": ("ખાનગી", "ગુપ્ત", "KHANGI", "GUPT"),
        "so": ("QARSOODI", "GAAR AH"),
    },
    # The next page of a list.
    "more": {
        "en": ("MORE", "NEXT"),
        "pl": ("WIĘCEJ", "DALEJ"),
        "ro": ("MAI MULTE", "MAI MULT", "URMĂTOAREA", "URMĂTORUL"),
        "ur": ("مزید", "اگلا", "MAZEED", "MAZID", "AGLA"),
        "pa": ("ਹੋਰ", "ਅਗਲਾ", "HOR", "AGLA"),
        "gu": ("વધુ", "આગળ", "VADHU", "AAGAL"),
        "so": ("DHEERAAD", "KU XIGA", "INTAA KA BADAN"),
    },
}

# Speak-up words, kept apart from COMMANDS: a speak-up text never enters the conversation, and
# is recognised (typos too) before anything about the texter is written. "speakup" raises a
# concern with the words that follow; "case" follows one with its code.
SPEAK_UP: dict[str, dict[str, tuple[str, ...]]] = {
    "speakup": {
        "en": ("SPEAKUP", "SPEAK UP", "CONCERN", "WHISTLEBLOW"),
        # The labels on screens are phrases too ("Zgłoś problem"): the whole label is the word,
        # not a concern called "problem".
        "pl": ("ZGŁOŚ", "ZGŁOŚ PROBLEM", "SYGNAŁ", "ZGŁOSZENIE", "ZABIERZ GŁOS", "ZGŁASZAM"),
        "ro": ("SEMNALEAZĂ", "SEMNALEAZĂ O PROBLEMĂ", "SESIZARE", "SEMNALEZ", "SEMNALARE"),
        # The glossary's words as people spell them in Latin letters, several ways each
        # (AWAZ UTHAYEN is آواز اٹھائیں); keyboard variants (شكايت, ਸਿਕਾਇਤ) are folded by the
        # parser (service.keywords.keyboard_forms).
        "ur": (
            "آواز اٹھائیں",
            "آواز اٹھاؤ",
            "شکایت",
            "SHIKAYAT",
            "SHIKAYET",
            "SHIKAIT",
            "AWAZ UTHAO",
            "AAWAZ UTHAO",
            "AWAAZ UTHAO",
            "AWAZ UTHAYEN",
            "AWAZ UTHAEN",
            "AWAZ UTHAIN",
            "AWAAZ UTHAYEN",
        ),
        "pa": (
            "ਆਵਾਜ਼ ਉਠਾਓ",
            "ਸ਼ਿਕਾਇਤ",
            "SHIKAYAT",
            "SHIKAIT",
            "AWAAZ UTHAO",
            "AWAZ UTHAO",
            "AVAAZ UTHAO",
            "AVAZ UTHAO",
        ),
        "gu": (
            "અવાજ ઉઠાવો",
            "ફરિયાદ",
            "FARIYAD",
            "FARIYAAD",
            "FARYAD",
            "AVAAJ UTHAVO",
            "AVAJ UTHAVO",
            "AWAJ UTHAVO",
            "AVAAZ UTHAVO",
        ),
        "so": ("KA HADAL", "CABASHO"),
    },
    # Counted only with a code after the word (service.speakup.sms): SPRAWA, CAZ and KIIS are
    # everyday words. "Case code" in each language works as well as the word alone.
    "case": {
        "en": ("CASE", "CASE CODE"),
        "pl": ("SPRAWA", "SPRAWY", "KOD SPRAWY"),
        "ro": ("CAZ", "CAZUL", "DOSAR", "CODUL CAZULUI"),
        "ur": ("کیس", "کیس کوڈ", "KES", "KAIS"),
        "pa": ("ਕੇਸ", "ਕੇਸ ਕੋਡ", "KES", "KAIS"),
        "gu": ("કેસ", "કેસ કોડ", "KES", "KAIS"),
        "so": ("KIISKA", "KIIS", "KOODHKA KIISKA"),
    },
}

# Each language's own name in its own script, its English name, then other spellings.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("ENGLISH", "ENG"),
    "pl": ("POLSKI", "POLISH", "POLSKA"),
    "ro": ("ROMÂNĂ", "ROMANIAN", "ROMÂNEȘTE"),
    "ur": ("اردو", "URDU"),
    "pa": ("ਪੰਜਾਬੀ", "PUNJABI", "PANJABI", "پنجابی"),
    "gu": ("ગુજરાતી", "GUJARATI", "GUJRATI"),
    "so": ("SOOMAALI", "SOMALI", "AF SOOMAALI"),
}
