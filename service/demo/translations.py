"""Demo content in Polish, Romanian, Urdu, Punjabi, Gujarati and Somali, with SMS keywords."""

from __future__ import annotations

# Keys are "network:<slug>", "event:<key>", "support:<key>" and "announcement:<key>";
# place names stay in English so they match the signs on site.
TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    # Polish
    "pl": {
        "network:careers": {
            "name": "Grupa Kariery",
            "short_description": (
                "Kursy, praktyki zawodowe i pomoc przy zgłoszeniach do pracy, na każde stanowisko."
            ),
            "long_description": (
                "Dowiedz się o kursach, praktykach zawodowych i wolnych miejscach pracy w całej "
                "radzie miasta. Członkowie pomagają sobie nawzajem przy formularzach "
                "zgłoszeniowych i rozmowach o pracę. Raz w miesiącu przychodzą osoby z innych "
                "działów i opowiadają o swojej pracy."
            ),
        },
        "network:minds": {
            "name": "Umysł Się Liczy",
            "short_description": (
                "Wsparcie w zdrowiu psychicznym od kolegów i koleżanek, którzy rozumieją."
            ),
            "long_description": (
                "Poufna grupa wsparcia prowadzona przez przeszkolonych współpracowników. W piątki "
                'wpadnij na herbatę i rozmowę albo dołącz przez telefon do środowej godziny "Jak '
                'się czujesz?". Nie musisz nic mówić: możesz po prostu słuchać.'
            ),
            "discreet_name": "Grupa piątkowa",
        },
        "network:carers": {
            "name": "Grupa Opiekunów",
            "short_description": (
                "Dla pracowników, którzy opiekują się kimś z rodziny, partnerem lub przyjacielem."
            ),
            "long_description": (
                "Opieka nad bliską osobą i praca na zmiany to trudne połączenie. Dziel się radami "
                "o urlopie dla opiekunów, elastycznym grafiku i pomocy w okolicy. Spotykamy się co "
                "drugi czwartek wieczorem."
            ),
        },
        "network:families": {
            "name": "Grupa Rodzin",
            "short_description": "Dla rodziców i opiekunów dzieci ze specjalnymi potrzebami.",
            "long_description": (
                "Część Grupy Opiekunów, dla rodziców dzieci ze specjalnymi potrzebami lub z "
                "niepełnosprawnością. Rozmawiamy o szkole, ocenach potrzeb, wizytach i grafiku "
                "zmian. Raz w miesiącu poranna kawa z kącikiem zabaw dla dzieci."
            ),
            "discreet_name": "Sobotnia grupa przy kawie",
        },
        "network:dawn": {
            "name": "Grupa Niepełnosprawności i Dobrego Samopoczucia (DAWN)",
            "short_description": (
                "Dla pracowników z niepełnosprawnością i każdego, kto ma długotrwały problem ze "
                "zdrowiem."
            ),
            "long_description": (
                "Porady od osób z własnym doświadczeniem: racjonalne usprawnienia w pracy, program "
                'Access to Work i jak dbać o zdrowie w pracy. Prowadzimy środową godzinę "Jak się '
                'czujesz?".'
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "Grupa LGBT+",
            "short_description": (
                "Przyjazna grupa dla lesbijek, gejów, osób bi, trans i queer wśród pracowników "
                "oraz ich sojuszników."
            ),
            "long_description": (
                "Wieczory towarzyskie, wsparcie i wpływ na zasady w radzie miasta. Możesz dołączyć "
                "dyskretnie: jeśli poprosisz, w wiadomościach użyjemy tylko naszej neutralnej "
                "nazwy."
            ),
            "discreet_name": "Czwartkowa grupa towarzyska",
        },
        "network:women": {
            "name": "Głos Kobiet",
            "short_description": (
                "Kobiety wspierają kobiety w pracy: zdrowie, bezpieczeństwo, kariera."
            ),
            "long_description": (
                "Wsparcie w menopauzie, bezpieczeństwo podczas pracy w pojedynkę, elastyczny czas "
                "pracy i pewność siebie w pracy. Co miesiąc spotkanie w porze lunchu."
            ),
        },
        "network:race": {
            "name": "Grupa Równości Rasowej",
            "short_description": (
                "Dla pracowników czarnoskórych, pochodzenia azjatyckiego i z mniejszości "
                "etnicznych oraz ich sojuszników."
            ),
            "long_description": (
                "Bezpieczne miejsce, by porozmawiać o doświadczeniach w pracy, o mentoringu i o "
                "tym, żeby każdy głos był słyszany, bez względu na to, na jakiej zmianie pracujesz "
                "i jakim językiem mówisz."
            ),
            "discreet_name": "Forum poniedziałkowe",
        },
        "event:cuppa": {
            "title": "Herbata i rozmowa",
            "description": (
                "Herbata, ciastka i ktoś, kto życzliwie wysłucha. Wpadnij na pięć minut albo na "
                "całą godzinę."
            ),
            "place": "Stołówka, Eastfield Depot",
        },
        "event:feeling": {
            "title": 'Godzina "Jak się czujesz?"',
            "description": (
                "Godzina przez telefon, żeby zapytać, co u siebie słychać. Kamera i imię nie są "
                "wymagane."
            ),
            "place": "Przez telefon",
        },
        "event:careers-session": {
            "title": "Spotkanie o karierze",
            "description": (
                "Co miesiąc inny dział rady miasta opowiada o swojej pracy i o tym, jak się "
                "zgłosić."
            ),
            "place": "Sala 2, Civic Hall",
        },
        "event:carers-chat": {
            "title": "Rozmowy opiekunów",
            "description": (
                "Podziel się tym, co pomaga: urlop, grafik, chwila odpoczynku od opieki i pomoc w "
                "okolicy."
            ),
            "place": "Sala ogrodowa, Willow Court",
        },
        "event:families-coffee": {
            "title": "Poranna kawa",
            "description": "Przyprowadź dzieci: jest kącik zabaw i ciche miejsce.",
            "place": "Sala wspólna, Civic Hall",
        },
        "event:lgbt-social": {
            "title": "Wieczór towarzyski",
            "description": "Jedzenie, gry i dobre towarzystwo. Sojusznicy mile widziani.",
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "Spotkanie w porze lunchu",
            "description": (
                "W tym sezonie: menopauza w pracy i bezpieczeństwo podczas pracy w pojedynkę."
            ),
            "place": "Sala spotkań, Riverside Depot",
        },
        "event:race-forum": {
            "title": "Spotkanie grupy",
            "description": (
                "Otwarte spotkanie: mentoring, wiadomości z rady miasta i Twoje pomysły."
            ),
            "place": "Sala spotkań, Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "O każdej porze, w dzień i w nocy",
            "description": (
                "Bezpłatnie i poufnie, dla każdego, komu jest ciężko. Nie musisz myśleć o "
                "samobójstwie, żeby zadzwonić."
            ),
        },
        "support:eap": {
            "name": "Program Pomocy Pracownikom",
            "hours": "Od poniedziałku do piątku 8:00-20:00, w sobotę 9:00-13:00",
            "description": (
                "Bezpłatne i poufne rozmowy z doradcą oraz porady w sprawach pieniędzy i prawa, "
                "dla pracowników i ich rodzin."
            ),
        },
        "support:oh": {
            "name": "Medycyna Pracy",
            "hours": "Od poniedziałku do piątku 9:00-17:00",
            "description": "Zdrowie w pracy: dostosowania, powrót do pracy i skierowania.",
        },
        "announcement:flu": {
            "body": (
                "Tej zimy darmowe szczepienia przeciw grypie w każdej bazie. Zapytaj przełożonego, "
                "kiedy możesz przyjść."
            ),
        },
    },
    # Romanian
    "ro": {
        "network:careers": {
            "name": "Grupul pentru Carieră",
            "short_description": (
                "Cursuri, ucenicii și ajutor la cererile de angajare, pentru orice post."
            ),
            "long_description": (
                "Află despre cursuri, ucenicii și locuri de muncă libere în tot consiliul. Membrii "
                "se ajută între ei cu formularele de angajare și cu interviurile. O dată pe lună "
                "vin colegi din alte servicii și povestesc despre munca lor."
            ),
        },
        "network:minds": {
            "name": "Mintea Contează",
            "short_description": (
                "Sprijin pentru sănătatea ta mintală, de la colegi care te înțeleg."
            ),
            "long_description": (
                "Un grup confidențial de sprijin între colegi, condus de colegi instruiți. Vino "
                'vinerea la un ceai și o vorbă sau intră miercuri, la telefon, la ora "Cum te '
                'simți?". Nu trebuie să vorbești: e în regulă și doar să asculți.'
            ),
            "discreet_name": "Grupul de vineri",
        },
        "network:carers": {
            "name": "Grupul Îngrijitorilor",
            "short_description": (
                "Pentru angajații care au grijă de cineva din familie, de partener sau de un "
                "prieten."
            ),
            "long_description": (
                "E greu să ai grijă de cineva și să lucrezi în ture. Dați-vă sfaturi despre "
                "concediul de îngrijitor, program flexibil și ajutor din zonă. Ne vedem joia "
                "seara, o dată la două săptămâni."
            ),
        },
        "network:families": {
            "name": "Grupul Familiilor",
            "short_description": "Părinți și îngrijitori ai copiilor cu nevoi speciale.",
            "long_description": (
                "Face parte din Grupul Îngrijitorilor și este pentru părinții copiilor cu nevoi "
                "speciale sau cu dizabilități: școală, evaluări, programări și ture. O dată pe "
                "lună, o cafea de dimineață, cu un colț de joacă."
            ),
            "discreet_name": "Grupul de cafea de sâmbătă",
        },
        "network:dawn": {
            "name": "Grupul pentru Dizabilitate și Bunăstare (DAWN)",
            "short_description": (
                "Pentru angajații cu dizabilități și pentru oricine are o problemă de sănătate de "
                "lungă durată."
            ),
            "long_description": (
                "Sfaturi de la oameni cu experiență proprie: adaptări rezonabile la locul de "
                "muncă, programul Access to Work și cum să rămâi sănătos la muncă. Organizăm ora "
                'de miercuri "Cum te simți?".'
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "Grupul LGBT+",
            "short_description": (
                "Un grup primitor pentru persoanele lesbiene, gay, bi, trans și queer dintre "
                "angajați și pentru aliații lor."
            ),
            "long_description": (
                "Seri petrecute împreună, sprijin și o voce în deciziile consiliului. Poți intra "
                "discret: dacă ne ceri, mesajele vor folosi doar numele nostru discret."
            ),
            "discreet_name": "Grupul social de joi",
        },
        "network:women": {
            "name": "Vocea Femeilor",
            "short_description": (
                "Femei care sprijină femei la muncă: sănătate, siguranță, carieră."
            ),
            "long_description": (
                "Sprijin la menopauză, siguranță când lucrezi singură în tură, program flexibil și "
                "încredere la muncă. Întâlniri la prânz în fiecare lună."
            ),
        },
        "network:race": {
            "name": "Grupul pentru Egalitate Rasială",
            "short_description": (
                "Pentru angajații de culoare, asiatici și din minorități etnice, și pentru aliații "
                "lor."
            ),
            "long_description": (
                "Un loc sigur unde vorbim despre ce trăim la muncă, despre mentorat și despre cum "
                "ne asigurăm că fiecare voce este auzită, indiferent în ce tură lucrezi sau ce "
                "limbă vorbești."
            ),
            "discreet_name": "Forumul de luni",
        },
        "event:cuppa": {
            "title": "Un ceai și o vorbă",
            "description": (
                "Ceai, biscuiți și cineva care te ascultă cu drag. Treci pe la noi cinci minute "
                "sau toată ora."
            ),
            "place": "Cantina, Eastfield Depot",
        },
        "event:feeling": {
            "title": 'Ora "Cum te simți?"',
            "description": (
                "O oră la telefon în care aflăm ce mai face fiecare. Camera și numele sunt "
                "opționale."
            ),
            "place": "La telefon",
        },
        "event:careers-session": {
            "title": "Întâlnire despre carieră",
            "description": (
                "În fiecare lună, alt serviciu al consiliului explică ce posturi are și cum poți "
                "aplica."
            ),
            "place": "Sala 2, Civic Hall",
        },
        "event:carers-chat": {
            "title": "Discuția îngrijitorilor",
            "description": (
                "Spune ce te-a ajutat: concedii, programul turelor, pauze de la îngrijire și "
                "servicii din zonă."
            ),
            "place": "Sala din grădină, Willow Court",
        },
        "event:families-coffee": {
            "title": "Cafeaua de dimineață",
            "description": "Aduceți copiii: avem un colț de joacă și un loc liniștit.",
            "place": "Sala comunității, Civic Hall",
        },
        "event:lgbt-social": {
            "title": "Seară în grup",
            "description": "Mâncare, jocuri și companie bună. Aliații sunt bineveniți.",
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "Întâlnire la prânz",
            "description": (
                "În acest sezon: menopauza la muncă și siguranța când lucrezi singură în tură."
            ),
            "place": "Sala de ședințe, Riverside Depot",
        },
        "event:race-forum": {
            "title": "Întâlnirea rețelei",
            "description": "Întâlnire deschisă: mentorat, noutăți de la consiliu și ideile tale.",
            "place": "Sala de ședințe, Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "Oricând, zi și noapte",
            "description": (
                "Gratuit și confidențial, pentru oricine trece printr-un moment greu. Nu trebuie "
                "să te gândești la sinucidere ca să suni."
            ),
        },
        "support:eap": {
            "name": "Programul de Asistență pentru Angajați",
            "hours": "Luni-vineri 8:00-20:00, sâmbătă 9:00-13:00",
            "description": (
                "Consiliere gratuită și confidențială, sfaturi despre bani și sfaturi juridice, "
                "pentru angajați și familiile lor."
            ),
        },
        "support:oh": {
            "name": "Medicina Muncii",
            "hours": "Luni-vineri 9:00-17:00",
            "description": (
                "Sănătatea la muncă: adaptări, întoarcerea la muncă și trimiteri la specialiști."
            ),
        },
        "announcement:flu": {
            "body": (
                "În această iarnă, vaccinul antigripal este gratuit în fiecare depou. Întreabă-l "
                "pe șeful tău direct când poți veni."
            ),
        },
    },
    # Urdu
    "ur": {
        "network:careers": {
            "name": "کیریئر گروپ",
            "short_description": "ہر عہدے کے لیے تربیت، اپرنٹس شپ اور نوکری کی درخواست میں مدد۔",
            "long_description": (
                "پوری کونسل میں کورسز، اپرنٹس شپ اور خالی نوکریوں کے بارے میں جانیں۔ ممبران "
                "درخواست فارم اور انٹرویو میں ایک دوسرے کی مدد کرتے ہیں۔ ہر مہینے ایک سیشن ہوتا ہے "
                "جس میں دوسرے شعبوں کے لوگ آ کر اپنے کام کے بارے میں بتاتے ہیں۔"
            ),
        },
        "network:minds": {
            "name": "ذہنی صحت اہم ہے",
            "short_description": (
                "آپ کی ذہنی صحت کے لیے ان ساتھیوں کا سہارا جو آپ کی بات سمجھتے ہیں۔"
            ),
            "long_description": (
                "ایک رازدارانہ گروپ جہاں ساتھی ایک دوسرے کا سہارا بنتے ہیں، اور اسے تربیت یافتہ "
                "ساتھی چلاتے ہیں۔ جمعہ کو چائے اور گپ شپ کے لیے آ جائیں، یا بدھ کو فون پر ‘حال "
                "احوال کا گھنٹہ’ میں شامل ہوں۔ بولنا ضروری نہیں: صرف سننا بھی ٹھیک ہے۔"
            ),
            "discreet_name": "جمعہ کا گپ شپ گروپ",
        },
        "network:carers": {
            "name": "دیکھ بھال کرنے والوں کا گروپ",
            "short_description": (
                "ان ملازمین کے لیے جو گھر کے کسی فرد، جیون ساتھی یا دوست کی دیکھ بھال کرتے ہیں۔"
            ),
            "long_description": (
                "کسی کی دیکھ بھال کے ساتھ شفٹوں میں کام کرنا مشکل ہے۔ دیکھ بھال کے لیے چھٹی، "
                "لچکدار روٹا اور مقامی مدد کے بارے میں مشورے بانٹیں، اور ہر دوسری جمعرات کی شام "
                "دوسروں سے ملیں۔"
            ),
        },
        "network:families": {
            "name": "خاندانوں کا گروپ",
            "short_description": "خاص ضروریات والے بچوں کے والدین اور دیکھ بھال کرنے والوں کے لیے۔",
            "long_description": (
                "یہ دیکھ بھال کرنے والوں کے گروپ کا حصہ ہے، ان والدین کے لیے جن کے بچوں کی خاص "
                "ضروریات ہیں یا جن کے بچوں کو کوئی معذوری ہے: اسکول، جانچ، اپائنٹمنٹس اور شفٹوں کے "
                "اوقات۔ ہر مہینے صبح کی کافی، اور بچوں کے کھیلنے کا کونا۔"
            ),
            "discreet_name": "ہفتے کے دن کا کافی گروپ",
        },
        "network:dawn": {
            "name": "معذوری اور تندرستی گروپ (DAWN)",
            "short_description": (
                "معذور ملازمین اور ہر اس شخص کے لیے جسے لمبے عرصے سے صحت کا کوئی مسئلہ ہو۔"
            ),
            "long_description": (
                "ایسے لوگوں سے مشورہ جنہیں اس کا اپنا تجربہ ہے: کام پر مناسب تبدیلیاں، Access to "
                "Work اسکیم، اور کام پر صحت مند رہنا۔ بدھ کا ‘حال احوال کا گھنٹہ’ بھی یہی گروپ "
                "چلاتا ہے۔"
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "LGBT+ گروپ",
            "short_description": (
                "لیزبیئن، گے، بائی، ٹرانس اور کوئیر ملازمین اور ان کے حامیوں کے لیے ایک دوستانہ "
                "گروپ۔"
            ),
            "long_description": (
                "مل بیٹھنے کی شامیں، سہارا، اور کونسل کی پالیسی میں آپ کی آواز۔ آپ رازداری سے شامل "
                "ہو سکتے ہیں: اگر آپ کہیں تو پیغامات میں صرف ہمارا عام نام استعمال ہو گا۔"
            ),
            "discreet_name": "جمعرات کا سوشل گروپ",
        },
        "network:women": {
            "name": "خواتین کی آواز",
            "short_description": "کام پر خواتین کا خواتین کو سہارا: صحت، حفاظت، کیریئر۔",
            "long_description": (
                "مینوپاز میں مدد، اکیلے شفٹ کرتے وقت حفاظت، لچکدار کام، اور کام پر خود اعتمادی۔ ہر "
                "مہینے دوپہر کے کھانے کے وقت ملاقات۔"
            ),
        },
        "network:race": {
            "name": "نسلی مساوات گروپ",
            "short_description": (
                "سیاہ فام، ایشیائی اور اقلیتی نسلی پس منظر والے ملازمین، اور ان کے حامیوں کے لیے۔"
            ),
            "long_description": (
                "ایک محفوظ جگہ جہاں کام کے تجربات اور مینٹورنگ پر بات ہوتی ہے، اور یہ یقینی بنایا "
                "جاتا ہے کہ ہر آواز سنی جائے، چاہے آپ کسی بھی شفٹ میں کام کریں یا کوئی بھی زبان "
                "بولیں۔"
            ),
            "discreet_name": "پیر کا فورم",
        },
        "event:cuppa": {
            "title": "چائے اور گپ شپ",
            "description": (
                "چائے، بسکٹ اور کوئی جو پیار سے آپ کی بات سنے۔ پانچ منٹ کے لیے آئیں یا پورے گھنٹے "
                "کے لیے۔"
            ),
            "place": "کینٹین، Eastfield Depot",
        },
        "event:feeling": {
            "title": "حال احوال کا گھنٹہ",
            "description": (
                "فون پر ایک گھنٹہ، ایک دوسرے کا حال پوچھنے کے لیے۔ کیمرا اور نام بتانا آپ کی مرضی "
                "ہے۔"
            ),
            "place": "فون پر",
        },
        "event:careers-session": {
            "title": "کیریئر سیشن",
            "description": (
                "ہر مہینے کونسل کا ایک نیا شعبہ اپنی نوکریوں اور درخواست دینے کا طریقہ بتاتا ہے۔"
            ),
            "place": "کمرہ 2، Civic Hall",
        },
        "event:carers-chat": {
            "title": "دیکھ بھال کرنے والوں کی گپ شپ",
            "description": (
                "بتائیں کہ کیا چیز کام آتی ہے: چھٹی، روٹا، آرام کا وقفہ اور مقامی سروسز۔"
            ),
            "place": "گارڈن روم، Willow Court",
        },
        "event:families-coffee": {
            "title": "صبح کی کافی",
            "description": "بچوں کو ساتھ لائیں: کھیلنے کا کونا اور ایک پُرسکون جگہ موجود ہے۔",
            "place": "کمیونٹی روم، Civic Hall",
        },
        "event:lgbt-social": {
            "title": "مل بیٹھنے کی شام",
            "description": "کھانا، کھیل اور اچھی صحبت۔ حامیوں کو بھی خوش آمدید۔",
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "دوپہر کی ملاقات",
            "description": "اس موسم میں: کام پر مینوپاز، اور اکیلے شفٹ کرتے وقت محفوظ رہنا۔",
            "place": "میٹنگ روم، Riverside Depot",
        },
        "event:race-forum": {
            "title": "گروپ میٹنگ",
            "description": "کھلی میٹنگ: مینٹورنگ، کونسل کی خبریں اور آپ کے خیالات۔",
            "place": "میٹنگ روم، Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "کسی بھی وقت، دن ہو یا رات",
            "description": (
                "مفت اور رازدارانہ، ہر اس شخص کے لیے جو مشکل میں ہے۔ فون کرنے کے لیے خودکشی کے "
                "خیالات ہونا ضروری نہیں۔"
            ),
        },
        "support:eap": {
            "name": "ملازمین کی مدد کا پروگرام",
            "hours": "پیر سے جمعہ صبح 8 سے رات 8 بجے تک، ہفتے کے دن صبح 9 سے دوپہر 1 بجے تک",
            "description": (
                "ملازمین اور ان کے گھر والوں کے لیے مفت اور رازدارانہ کاؤنسلنگ، اور پیسوں اور "
                "قانونی معاملات پر مشورہ۔"
            ),
        },
        "support:oh": {
            "name": "پیشہ ورانہ صحت",
            "hours": "پیر سے جمعہ صبح 9 سے شام 5 بجے تک",
            "description": "کام پر صحت: کام میں تبدیلیاں، کام پر واپسی اور ریفرل۔",
        },
        "announcement:flu": {
            "body": (
                "اس سردی میں ہر ڈپو پر فلو کا ٹیکہ مفت لگ رہا ہے۔ وقت کے لیے اپنے سپروائزر سے "
                "پوچھیں۔"
            ),
        },
    },
    # Punjabi (Gurmukhi)
    "pa": {
        "network:careers": {
            "name": "ਕਰੀਅਰ ਗਰੁੱਪ",
            "short_description": "ਹਰ ਨੌਕਰੀ ਲਈ ਸਿਖਲਾਈ, ਅਪ੍ਰੈਂਟਿਸਸ਼ਿਪ ਅਤੇ ਅਰਜ਼ੀ ਦੇਣ ਵਿੱਚ ਮਦਦ।",
            "long_description": (
                "ਸਾਰੀ ਕੌਂਸਲ ਵਿੱਚ ਕੋਰਸਾਂ, ਅਪ੍ਰੈਂਟਿਸਸ਼ਿਪਾਂ ਅਤੇ ਖਾਲੀ ਨੌਕਰੀਆਂ ਬਾਰੇ ਜਾਣੋ। ਮੈਂਬਰ ਅਰਜ਼ੀ "
                "ਫਾਰਮ ਅਤੇ ਇੰਟਰਵਿਊ ਵਿੱਚ ਇੱਕ-ਦੂਜੇ ਦੀ ਮਦਦ ਕਰਦੇ ਹਨ। ਹਰ ਮਹੀਨੇ ਇੱਕ ਸੈਸ਼ਨ ਹੁੰਦਾ ਹੈ ਜਿਸ "
                "ਵਿੱਚ ਹੋਰ ਵਿਭਾਗਾਂ ਦੇ ਲੋਕ ਆ ਕੇ ਆਪਣੇ ਕੰਮ ਬਾਰੇ ਦੱਸਦੇ ਹਨ।"
            ),
        },
        "network:minds": {
            "name": "ਮਨ ਦੀ ਸਿਹਤ ਜ਼ਰੂਰੀ ਹੈ",
            "short_description": ("ਤੁਹਾਡੀ ਮਾਨਸਿਕ ਸਿਹਤ ਲਈ ਉਹਨਾਂ ਸਾਥੀਆਂ ਦਾ ਸਹਾਰਾ ਜੋ ਤੁਹਾਡੀ ਗੱਲ ਸਮਝਦੇ ਹਨ।"),
            "long_description": (
                "ਇੱਕ ਗੁਪਤ ਗਰੁੱਪ ਜਿੱਥੇ ਸਾਥੀ ਇੱਕ-ਦੂਜੇ ਦਾ ਸਹਾਰਾ ਬਣਦੇ ਹਨ, ਅਤੇ ਇਸਨੂੰ ਸਿਖਲਾਈ ਪ੍ਰਾਪਤ ਸਾਥੀ "
                "ਚਲਾਉਂਦੇ ਹਨ। ਸ਼ੁੱਕਰਵਾਰ ਨੂੰ ਚਾਹ ਅਤੇ ਗੱਲਬਾਤ ਲਈ ਆ ਜਾਓ, ਜਾਂ ਬੁੱਧਵਾਰ ਨੂੰ ਫ਼ੋਨ ’ਤੇ "
                "‘ਹਾਲ-ਚਾਲ ਦਾ ਘੰਟਾ’ ਵਿੱਚ ਸ਼ਾਮਲ ਹੋਵੋ। ਬੋਲਣਾ ਜ਼ਰੂਰੀ ਨਹੀਂ: ਸਿਰਫ਼ ਸੁਣਨਾ ਵੀ ਠੀਕ ਹੈ।"
            ),
            "discreet_name": "ਸ਼ੁੱਕਰਵਾਰ ਗੱਲਬਾਤ ਗਰੁੱਪ",
        },
        "network:carers": {
            "name": "ਦੇਖਭਾਲ ਕਰਨ ਵਾਲਿਆਂ ਦਾ ਗਰੁੱਪ",
            "short_description": (
                "ਉਹਨਾਂ ਕਰਮਚਾਰੀਆਂ ਲਈ ਜੋ ਪਰਿਵਾਰ ਦੇ ਕਿਸੇ ਜੀਅ, ਜੀਵਨ ਸਾਥੀ ਜਾਂ ਦੋਸਤ ਦੀ ਦੇਖਭਾਲ ਕਰਦੇ ਹਨ।"
            ),
            "long_description": (
                "ਕਿਸੇ ਦੀ ਦੇਖਭਾਲ ਕਰਨਾ ਅਤੇ ਨਾਲ ਸ਼ਿਫਟਾਂ ਵਿੱਚ ਕੰਮ ਕਰਨਾ ਔਖਾ ਹੈ। ਦੇਖਭਾਲ ਲਈ ਛੁੱਟੀ, ਲਚਕਦਾਰ "
                "ਰੋਟਾ ਅਤੇ ਇਲਾਕੇ ਵਿੱਚ ਮਿਲਣ ਵਾਲੀ ਮਦਦ ਬਾਰੇ ਸਲਾਹ ਸਾਂਝੀ ਕਰੋ, ਅਤੇ ਹਰ ਦੂਜੇ ਵੀਰਵਾਰ ਸ਼ਾਮ "
                "ਨੂੰ ਹੋਰਾਂ ਨੂੰ ਮਿਲੋ।"
            ),
        },
        "network:families": {
            "name": "ਪਰਿਵਾਰ ਗਰੁੱਪ",
            "short_description": "ਖ਼ਾਸ ਲੋੜਾਂ ਵਾਲੇ ਬੱਚਿਆਂ ਦੇ ਮਾਪਿਆਂ ਅਤੇ ਦੇਖਭਾਲ ਕਰਨ ਵਾਲਿਆਂ ਲਈ।",
            "long_description": (
                "ਇਹ ਦੇਖਭਾਲ ਕਰਨ ਵਾਲਿਆਂ ਦੇ ਗਰੁੱਪ ਦਾ ਹਿੱਸਾ ਹੈ, ਉਹਨਾਂ ਮਾਪਿਆਂ ਲਈ ਜਿਨ੍ਹਾਂ ਦੇ ਬੱਚਿਆਂ "
                "ਦੀਆਂ ਖ਼ਾਸ ਲੋੜਾਂ ਹਨ ਜਾਂ ਅਪੰਗਤਾ ਹੈ: ਸਕੂਲ, ਜਾਂਚਾਂ, ਅਪੌਇੰਟਮੈਂਟਾਂ ਅਤੇ ਸ਼ਿਫਟਾਂ ਦਾ ਸਮਾਂ। "
                "ਹਰ ਮਹੀਨੇ ਸਵੇਰ ਦੀ ਕੌਫ਼ੀ, ਅਤੇ ਬੱਚਿਆਂ ਦੇ ਖੇਡਣ ਲਈ ਇੱਕ ਕੋਨਾ।"
            ),
            "discreet_name": "ਸ਼ਨੀਵਾਰ ਕੌਫ਼ੀ ਗਰੁੱਪ",
        },
        "network:dawn": {
            "name": "ਅਪੰਗਤਾ ਅਤੇ ਤੰਦਰੁਸਤੀ ਗਰੁੱਪ (DAWN)",
            "short_description": (
                "ਅਪੰਗਤਾ ਵਾਲੇ ਕਰਮਚਾਰੀਆਂ ਅਤੇ ਲੰਬੇ ਸਮੇਂ ਤੋਂ ਸਿਹਤ ਦੀ ਕਿਸੇ ਸਮੱਸਿਆ ਵਾਲੇ ਹਰ ਵਿਅਕਤੀ ਲਈ।"
            ),
            "long_description": (
                "ਉਹਨਾਂ ਲੋਕਾਂ ਤੋਂ ਸਲਾਹ ਜਿਨ੍ਹਾਂ ਨੂੰ ਇਸਦਾ ਆਪਣਾ ਤਜਰਬਾ ਹੈ: ਕੰਮ ’ਤੇ ਵਾਜਬ ਬਦਲਾਅ, Access to "
                "Work ਸਕੀਮ, ਅਤੇ ਕੰਮ ’ਤੇ ਤੰਦਰੁਸਤ ਰਹਿਣਾ। ਬੁੱਧਵਾਰ ਦਾ ‘ਹਾਲ-ਚਾਲ ਦਾ ਘੰਟਾ’ ਵੀ ਇਹੀ ਗਰੁੱਪ "
                "ਚਲਾਉਂਦਾ ਹੈ।"
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "LGBT+ ਗਰੁੱਪ",
            "short_description": (
                "ਲੈਸਬੀਅਨ, ਗੇਅ, ਬਾਈ, ਟ੍ਰਾਂਸ ਅਤੇ ਕੁਈਅਰ ਕਰਮਚਾਰੀਆਂ ਅਤੇ ਉਹਨਾਂ ਦੇ ਹਮਾਇਤੀਆਂ ਲਈ ਇੱਕ ਨਿੱਘਾ ਗਰੁੱਪ।"
            ),
            "long_description": (
                "ਮਿਲਣ-ਜੁਲਣ ਦੀਆਂ ਸ਼ਾਮਾਂ, ਸਹਾਰਾ, ਅਤੇ ਕੌਂਸਲ ਦੀਆਂ ਨੀਤੀਆਂ ਵਿੱਚ ਤੁਹਾਡੀ ਆਵਾਜ਼। ਤੁਸੀਂ "
                "ਚੁੱਪ-ਚਾਪ ਸ਼ਾਮਲ ਹੋ ਸਕਦੇ ਹੋ: ਜੇ ਤੁਸੀਂ ਕਹੋ, ਤਾਂ ਸੁਨੇਹਿਆਂ ਵਿੱਚ ਸਿਰਫ਼ ਸਾਡਾ ਆਮ ਨਾਮ "
                "ਵਰਤਿਆ ਜਾਵੇਗਾ।"
            ),
            "discreet_name": "ਵੀਰਵਾਰ ਮਿਲਣੀ ਗਰੁੱਪ",
        },
        "network:women": {
            "name": "ਔਰਤਾਂ ਦੀ ਆਵਾਜ਼",
            "short_description": "ਕੰਮ ’ਤੇ ਔਰਤਾਂ ਦਾ ਔਰਤਾਂ ਨੂੰ ਸਹਾਰਾ: ਸਿਹਤ, ਸੁਰੱਖਿਆ, ਕਰੀਅਰ।",
            "long_description": (
                "ਮੀਨੋਪੌਜ਼ ਵਿੱਚ ਸਹਾਰਾ, ਇਕੱਲਿਆਂ ਸ਼ਿਫਟ ਕਰਦੇ ਸਮੇਂ ਸੁਰੱਖਿਆ, ਲਚਕਦਾਰ ਕੰਮ, ਅਤੇ ਕੰਮ ’ਤੇ "
                "ਆਤਮ-ਵਿਸ਼ਵਾਸ। ਹਰ ਮਹੀਨੇ ਦੁਪਹਿਰ ਦੇ ਖਾਣੇ ਵੇਲੇ ਮੀਟਿੰਗ।"
            ),
        },
        "network:race": {
            "name": "ਨਸਲੀ ਬਰਾਬਰੀ ਗਰੁੱਪ",
            "short_description": (
                "ਬਲੈਕ, ਏਸ਼ੀਆਈ ਅਤੇ ਘੱਟ-ਗਿਣਤੀ ਨਸਲੀ ਪਿਛੋਕੜ ਵਾਲੇ ਕਰਮਚਾਰੀਆਂ, ਅਤੇ ਉਹਨਾਂ ਦੇ ਹਮਾਇਤੀਆਂ ਲਈ।"
            ),
            "long_description": (
                "ਇੱਕ ਸੁਰੱਖਿਅਤ ਥਾਂ ਜਿੱਥੇ ਕੰਮ ਦੇ ਤਜਰਬਿਆਂ ਅਤੇ ਮੈਂਟਰਿੰਗ ਬਾਰੇ ਗੱਲ ਹੁੰਦੀ ਹੈ, ਅਤੇ ਇਹ ਪੱਕਾ "
                "ਕੀਤਾ ਜਾਂਦਾ ਹੈ ਕਿ ਹਰ ਆਵਾਜ਼ ਸੁਣੀ ਜਾਵੇ, ਭਾਵੇਂ ਤੁਸੀਂ ਕਿਸੇ ਵੀ ਸ਼ਿਫਟ ਵਿੱਚ ਕੰਮ ਕਰੋ ਜਾਂ "
                "ਕੋਈ ਵੀ ਬੋਲੀ ਬੋਲੋ।"
            ),
            "discreet_name": "ਸੋਮਵਾਰ ਫੋਰਮ",
        },
        "event:cuppa": {
            "title": "ਚਾਹ ਅਤੇ ਗੱਲਬਾਤ",
            "description": ("ਚਾਹ, ਬਿਸਕੁਟ ਅਤੇ ਕੋਈ ਜੋ ਪਿਆਰ ਨਾਲ ਤੁਹਾਡੀ ਗੱਲ ਸੁਣੇ। ਪੰਜ ਮਿੰਟ ਲਈ ਆਓ ਜਾਂ ਪੂਰੇ ਘੰਟੇ ਲਈ।"),
            "place": "ਕੰਟੀਨ, Eastfield Depot",
        },
        "event:feeling": {
            "title": "ਹਾਲ-ਚਾਲ ਦਾ ਘੰਟਾ",
            "description": (
                "ਫ਼ੋਨ ’ਤੇ ਇੱਕ ਘੰਟਾ, ਇੱਕ-ਦੂਜੇ ਦਾ ਹਾਲ-ਚਾਲ ਪੁੱਛਣ ਲਈ। ਕੈਮਰਾ ਅਤੇ ਨਾਮ ਦੱਸਣਾ ਤੁਹਾਡੀ ਮਰਜ਼ੀ ਹੈ।"
            ),
            "place": "ਫ਼ੋਨ ’ਤੇ",
        },
        "event:careers-session": {
            "title": "ਕਰੀਅਰ ਸੈਸ਼ਨ",
            "description": ("ਹਰ ਮਹੀਨੇ ਕੌਂਸਲ ਦਾ ਇੱਕ ਵੱਖਰਾ ਵਿਭਾਗ ਆਪਣੀਆਂ ਨੌਕਰੀਆਂ ਅਤੇ ਅਰਜ਼ੀ ਦੇਣ ਦਾ ਤਰੀਕਾ ਦੱਸਦਾ ਹੈ।"),
            "place": "ਕਮਰਾ 2, Civic Hall",
        },
        "event:carers-chat": {
            "title": "ਦੇਖਭਾਲ ਕਰਨ ਵਾਲਿਆਂ ਦੀ ਗੱਲਬਾਤ",
            "description": ("ਦੱਸੋ ਕਿ ਕੀ ਕੰਮ ਆਉਂਦਾ ਹੈ: ਛੁੱਟੀ, ਰੋਟਾ, ਆਰਾਮ ਲਈ ਥੋੜ੍ਹਾ ਸਮਾਂ ਅਤੇ ਇਲਾਕੇ ਦੀਆਂ ਸੇਵਾਵਾਂ।"),
            "place": "ਗਾਰਡਨ ਰੂਮ, Willow Court",
        },
        "event:families-coffee": {
            "title": "ਸਵੇਰ ਦੀ ਕੌਫ਼ੀ",
            "description": "ਬੱਚਿਆਂ ਨੂੰ ਨਾਲ ਲਿਆਓ: ਖੇਡਣ ਲਈ ਕੋਨਾ ਅਤੇ ਸ਼ਾਂਤ ਥਾਂ ਹੈ।",
            "place": "ਕਮਿਊਨਿਟੀ ਰੂਮ, Civic Hall",
        },
        "event:lgbt-social": {
            "title": "ਮਿਲਣੀ ਦੀ ਸ਼ਾਮ",
            "description": "ਖਾਣਾ, ਖੇਡਾਂ ਅਤੇ ਵਧੀਆ ਸਾਥ। ਹਮਾਇਤੀਆਂ ਦਾ ਵੀ ਸੁਆਗਤ ਹੈ।",
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "ਦੁਪਹਿਰ ਦੀ ਮੀਟਿੰਗ",
            "description": "ਇਸ ਵਾਰ: ਕੰਮ ’ਤੇ ਮੀਨੋਪੌਜ਼, ਅਤੇ ਇਕੱਲਿਆਂ ਸ਼ਿਫਟ ਕਰਦੇ ਸਮੇਂ ਸੁਰੱਖਿਅਤ ਰਹਿਣਾ।",
            "place": "ਮੀਟਿੰਗ ਰੂਮ, Riverside Depot",
        },
        "event:race-forum": {
            "title": "ਗਰੁੱਪ ਮੀਟਿੰਗ",
            "description": "ਖੁੱਲ੍ਹੀ ਮੀਟਿੰਗ: ਮੈਂਟਰਿੰਗ, ਕੌਂਸਲ ਦੀਆਂ ਖ਼ਬਰਾਂ ਅਤੇ ਤੁਹਾਡੇ ਵਿਚਾਰ।",
            "place": "ਮੀਟਿੰਗ ਰੂਮ, Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "ਕਿਸੇ ਵੀ ਵੇਲੇ, ਦਿਨ ਹੋਵੇ ਜਾਂ ਰਾਤ",
            "description": (
                "ਮੁਫ਼ਤ ਅਤੇ ਗੁਪਤ, ਹਰ ਉਸ ਵਿਅਕਤੀ ਲਈ ਜੋ ਔਖੇ ਸਮੇਂ ਵਿੱਚੋਂ ਲੰਘ ਰਿਹਾ ਹੈ। ਫ਼ੋਨ ਕਰਨ ਲਈ "
                "ਤੁਹਾਡੇ ਮਨ ਵਿੱਚ ਖ਼ੁਦਕੁਸ਼ੀ ਦੇ ਖ਼ਿਆਲ ਹੋਣੇ ਜ਼ਰੂਰੀ ਨਹੀਂ।"
            ),
        },
        "support:eap": {
            "name": "ਕਰਮਚਾਰੀ ਸਹਾਇਤਾ ਪ੍ਰੋਗਰਾਮ",
            "hours": ("ਸੋਮਵਾਰ ਤੋਂ ਸ਼ੁੱਕਰਵਾਰ ਸਵੇਰੇ 8 ਤੋਂ ਰਾਤ 8 ਵਜੇ ਤੱਕ, ਸ਼ਨੀਵਾਰ ਸਵੇਰੇ 9 ਤੋਂ ਦੁਪਹਿਰ 1 ਵਜੇ ਤੱਕ"),
            "description": (
                "ਕਰਮਚਾਰੀਆਂ ਅਤੇ ਉਹਨਾਂ ਦੇ ਪਰਿਵਾਰਾਂ ਲਈ ਮੁਫ਼ਤ ਅਤੇ ਗੁਪਤ ਕਾਉਂਸਲਿੰਗ, ਅਤੇ ਪੈਸੇ ਤੇ ਕਾਨੂੰਨੀ ਮਾਮਲਿਆਂ ਬਾਰੇ ਸਲਾਹ।"
            ),
        },
        "support:oh": {
            "name": "ਕਿੱਤਾਮੁਖੀ ਸਿਹਤ",
            "hours": "ਸੋਮਵਾਰ ਤੋਂ ਸ਼ੁੱਕਰਵਾਰ ਸਵੇਰੇ 9 ਤੋਂ ਸ਼ਾਮ 5 ਵਜੇ ਤੱਕ",
            "description": "ਕੰਮ ’ਤੇ ਸਿਹਤ: ਕੰਮ ਵਿੱਚ ਬਦਲਾਅ, ਕੰਮ ’ਤੇ ਵਾਪਸੀ ਅਤੇ ਰੈਫ਼ਰਲ।",
        },
        "announcement:flu": {
            "body": ("ਇਸ ਸਰਦੀ ਹਰ ਡਿਪੋ ’ਤੇ ਫ਼ਲੂ ਦਾ ਟੀਕਾ ਮੁਫ਼ਤ ਹੈ। ਸਮਾਂ ਲੈਣ ਲਈ ਆਪਣੇ ਸੁਪਰਵਾਈਜ਼ਰ ਨੂੰ ਪੁੱਛੋ।"),
        },
    },
    # Gujarati
    "gu": {
        "network:careers": {
            "name": "કારકિર્દી જૂથ",
            "short_description": "દરેક નોકરી માટે તાલીમ, એપ્રેન્ટિસશિપ અને અરજી કરવામાં મદદ.",
            "long_description": (
                "આખી કાઉન્સિલમાં કોર્સ, એપ્રેન્ટિસશિપ અને ખાલી જગ્યાઓ વિશે જાણો. સભ્યો અરજી ફોર્મ "
                "અને ઇન્ટરવ્યૂમાં એકબીજાને મદદ કરે છે. દર મહિને એક સત્રમાં બીજા વિભાગોના લોકો "
                "આવીને પોતાના કામ વિશે વાત કરે છે."
            ),
        },
        "network:minds": {
            "name": "મન મહત્વનું છે",
            "short_description": "તમારા માનસિક સ્વાસ્થ્ય માટે એવા સાથીઓનો સાથ, જે તમને સમજે છે.",
            "long_description": (
                "તાલીમ પામેલા સાથીઓ દ્વારા ચાલતું ખાનગી જૂથ, જ્યાં સાથીઓ એકબીજાને સહારો આપે છે. "
                "શુક્રવારે ચા અને વાતચીત માટે આવો, અથવા બુધવારે ફોન પર ‘કેમ છો?’ કલાકમાં જોડાઓ. "
                "બોલવું જરૂરી નથી: ફક્ત સાંભળવું પણ બરાબર છે."
            ),
            "discreet_name": "શુક્રવાર વાતચીત જૂથ",
        },
        "network:carers": {
            "name": "સંભાળ રાખનારાઓનું જૂથ",
            "short_description": (
                "જે કર્મચારીઓ પરિવારના સભ્ય, જીવનસાથી કે મિત્રની સંભાળ રાખે છે, તેમના માટે."
            ),
            "long_description": (
                "કોઈની સંભાળ રાખવી અને સાથે શિફ્ટમાં કામ કરવું અઘરું છે. સંભાળ માટેની રજા, લવચીક "
                "રોટા અને સ્થાનિક મદદ વિશે સલાહ વહેંચો, અને દર બીજા ગુરુવારે સાંજે બીજાઓને મળો."
            ),
        },
        "network:families": {
            "name": "પરિવાર જૂથ",
            "short_description": "વિશેષ જરૂરિયાતોવાળાં બાળકોનાં માતા-પિતા અને સંભાળ રાખનારાઓ માટે.",
            "long_description": (
                "સંભાળ રાખનારાઓના જૂથનો ભાગ, એવાં માતા-પિતા માટે જેમનાં બાળકોને વિશેષ "
                "જરૂરિયાતો કે વિકલાંગતા છે: શાળા, મૂલ્યાંકન, એપોઇન્ટમેન્ટ અને શિફ્ટનો સમય. દર "
                "મહિને સવારની કોફી, અને બાળકો માટે રમવાનો ખૂણો."
            ),
            "discreet_name": "શનિવાર કોફી જૂથ",
        },
        "network:dawn": {
            "name": "વિકલાંગતા અને સુખાકારી જૂથ (DAWN)",
            "short_description": (
                "વિકલાંગ કર્મચારીઓ અને લાંબા સમયથી તબિયતની કોઈ તકલીફ હોય તેવા દરેક માટે."
            ),
            "long_description": (
                "જેમણે જાતે આ અનુભવ્યું છે તેવા લોકો પાસેથી સલાહ: કામ પર વાજબી ફેરફારો, Access to "
                "Work યોજના અને કામ પર સ્વસ્થ રહેવું. બુધવારનો ‘કેમ છો?’ કલાક પણ આ જૂથ ચલાવે "
                "છે."
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "LGBT+ જૂથ",
            "short_description": (
                "લેસ્બિયન, ગે, બાય, ટ્રાન્સ અને ક્વીયર કર્મચારીઓ અને તેમના સમર્થકો માટે આવકારદાયક જૂથ."
            ),
            "long_description": (
                "હળવા-મળવાની સાંજ, સહારો, અને કાઉન્સિલની નીતિમાં તમારો અવાજ. તમે ચુપચાપ જોડાઈ શકો "
                "છો: જો તમે કહો, તો સંદેશાઓમાં ફક્ત અમારું સામાન્ય નામ જ વપરાશે."
            ),
            "discreet_name": "ગુરુવાર મિલન જૂથ",
        },
        "network:women": {
            "name": "મહિલાઓનો અવાજ",
            "short_description": "કામ પર મહિલાઓ મહિલાઓને સાથ આપે: આરોગ્ય, સલામતી, કારકિર્દી.",
            "long_description": (
                "મેનોપોઝમાં સહારો, એકલા શિફ્ટ કરતી વખતે સલામતી, લવચીક કામ અને કામ પર આત્મવિશ્વાસ. "
                "દર મહિને બપોરના ભોજન સમયે મીટિંગ."
            ),
        },
        "network:race": {
            "name": "વંશીય સમાનતા જૂથ",
            "short_description": ("બ્લેક, એશિયન અને લઘુમતી વંશીય પૃષ્ઠભૂમિના કર્મચારીઓ અને તેમના સમર્થકો માટે."),
            "long_description": (
                "એક સલામત જગ્યા જ્યાં કામના અનુભવો અને મેન્ટરિંગ વિશે વાત થાય, અને દરેકનો અવાજ "
                "સંભળાય તેની ખાતરી થાય, ભલે તમે કોઈ પણ શિફ્ટમાં કામ કરો કે કોઈ પણ ભાષા બોલો."
            ),
            "discreet_name": "સોમવાર ફોરમ",
        },
        "event:cuppa": {
            "title": "ચા અને વાતચીત",
            "description": (
                "ચા, બિસ્કિટ અને પ્રેમથી તમારી વાત સાંભળનાર કોઈ. પાંચ મિનિટ માટે આવો કે આખા કલાક માટે."
            ),
            "place": "કેન્ટીન, Eastfield Depot",
        },
        "event:feeling": {
            "title": "‘કેમ છો?’ કલાક",
            "description": (
                "એકબીજાના ખબરઅંતર પૂછવા માટે ફોન પર એક કલાક. કેમેરા ચાલુ કરવો કે નામ આપવું તમારી મરજી."
            ),
            "place": "ફોન પર",
        },
        "event:careers-session": {
            "title": "કારકિર્દી સત્ર",
            "description": (
                "દર મહિને કાઉન્સિલનો એક અલગ વિભાગ તેની નોકરીઓ વિશે અને અરજી કેવી રીતે કરવી તે સમજાવે છે."
            ),
            "place": "રૂમ 2, Civic Hall",
        },
        "event:carers-chat": {
            "title": "સંભાળ રાખનારાઓની વાતચીત",
            "description": "શું કામ આવે છે તે વહેંચો: રજા, રોટા, થોડો આરામ અને સ્થાનિક સેવાઓ.",
            "place": "ગાર્ડન રૂમ, Willow Court",
        },
        "event:families-coffee": {
            "title": "સવારની કોફી",
            "description": "બાળકોને સાથે લાવો: રમવાનો ખૂણો અને શાંત જગ્યા છે.",
            "place": "કમ્યુનિટી રૂમ, Civic Hall",
        },
        "event:lgbt-social": {
            "title": "મિલનની સાંજ",
            "description": "ભોજન, રમતો અને સારો સાથ. સમર્થકોનું પણ સ્વાગત છે.",
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "બપોરની મીટિંગ",
            "description": "આ વખતે: કામ પર મેનોપોઝ, અને એકલા શિફ્ટ કરતી વખતે સલામત રહેવું.",
            "place": "મીટિંગ રૂમ, Riverside Depot",
        },
        "event:race-forum": {
            "title": "જૂથ મીટિંગ",
            "description": "ખુલ્લી મીટિંગ: મેન્ટરિંગ, કાઉન્સિલના સમાચાર અને તમારા વિચારો.",
            "place": "મીટિંગ રૂમ, Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "ગમે ત્યારે, દિવસ હોય કે રાત",
            "description": (
                "મફત અને ખાનગી, મુશ્કેલીમાં હોય તેવી કોઈ પણ વ્યક્તિ માટે. ફોન કરવા માટે તમારા "
                "મનમાં આત્મહત્યાના વિચાર હોવા જરૂરી નથી."
            ),
        },
        "support:eap": {
            "name": "કર્મચારી સહાય કાર્યક્રમ",
            "hours": "સોમવારથી શુક્રવાર સવારે 8 થી રાત્રે 8, શનિવારે સવારે 9 થી બપોરે 1",
            "description": (
                "કર્મચારીઓ અને તેમના પરિવારો માટે મફત અને ખાનગી કાઉન્સેલિંગ, અને પૈસા તથા કાયદાકીય "
                "બાબતોમાં સલાહ."
            ),
        },
        "support:oh": {
            "name": "વ્યાવસાયિક આરોગ્ય",
            "hours": "સોમવારથી શુક્રવાર સવારે 9 થી સાંજે 5",
            "description": "કામ પર આરોગ્ય: કામમાં ફેરફારો, કામ પર પાછા ફરવું અને રેફરલ.",
        },
        "announcement:flu": {
            "body": "આ શિયાળે દરેક ડેપો પર ફ્લૂની રસી મફત છે. સમય માટે તમારા સુપરવાઇઝરને પૂછો.",
        },
    },
    # Somali
    "so": {
        "network:careers": {
            "name": "Kooxda Xirfadaha",
            "short_description": "Tababar, shaqo-barasho iyo caawimaad aad ku codsato shaqo kasta.",
            "long_description": (
                "Wax ka ogow koorsooyinka, shaqo-barashada iyo shaqooyinka bannaan ee golaha oo "
                "dhan. Xubnuhu waxay isu caawiyaan foomamka codsiga iyo wareysiyada shaqada. Bil "
                "kasta waxaa jira kulan ay dad ka socda adeegyo kale uga warramaan shaqadooda."
            ),
        },
        "network:minds": {
            "name": "Maskaxdu Waa Muhiim",
            "short_description": (
                "Taageero caafimaadkaaga maskaxda ah, oo ka timaadda asxaab shaqo oo ku fahmaya."
            ),
            "long_description": (
                "Koox qarsoodi ah oo asxaab shaqo ay isku taageeraan, waxaana hoggaamiya asxaab "
                "tababaran. Jimcaha u soo gal koob shaah iyo sheeko, ama Arbacada taleefanka kaga "
                'soo biir saacadda "Sidee tahay?". Qasab kuma aha inaad hadasho: dhageysi keliya '
                "waa ku filan."
            ),
            "discreet_name": "Kooxda sheekada Jimcaha",
        },
        "network:carers": {
            "name": "Kooxda Daryeelayaasha",
            "short_description": (
                "Shaqaalaha daryeela qof qoyska ka mid ah, lammaanahooda ama saaxiib."
            ),
            "long_description": (
                "Inaad qof daryeesho oo aad shift shaqayso waa adag tahay. Isweydaarsada talooyin "
                "ku saabsan fasaxa daryeelayaasha, jadwal dabacsan iyo caawimaadda xaafadda, oo la "
                "kulma dadka kale Khamiista labadii toddobaadba mar, fiidkii."
            ),
        },
        "network:families": {
            "name": "Kooxda Qoysaska",
            "short_description": "Waalidiinta iyo daryeelayaasha carruurta qabta baahiyo gaar ah.",
            "long_description": (
                "Waa qayb ka mid ah Kooxda Daryeelayaasha, waxaana loogu talagalay waalidiinta "
                "carruurtoodu qabaan baahiyo gaar ah ama naafonimo: dugsiga, qiimaynta, ballamaha "
                "iyo jadwalka shiftka. Bil kasta kafee subax ah, oo leh gees ay carruurtu ku "
                "ciyaaraan."
            ),
            "discreet_name": "Kooxda kafeega Sabtida",
        },
        "network:dawn": {
            "name": "Kooxda Naafonimada iyo Fayoqabka (DAWN)",
            "short_description": (
                "Shaqaalaha naafonimada qaba iyo qof kasta oo qaba xaalad caafimaad oo muddo dheer "
                "soo jirtay."
            ),
            "long_description": (
                "Talo ka timaadda dad waayo-aragnimo u leh: isbeddello macquul ah oo shaqada laguu "
                "sameeyo, barnaamijka Access to Work iyo sidaad shaqada caafimaad ugu ahaan "
                'lahayd. Waxay qabataa saacadda "Sidee tahay?" ee Arbacada.'
            ),
            "discreet_name": "DAWN",
        },
        "network:lgbt": {
            "name": "Kooxda LGBT+",
            "short_description": (
                "Koox soo dhaweyn leh oo loogu talagalay shaqaalaha lesbian, gay, bi, trans "
                "iyo queer ah iyo taageerayaashooda."
            ),
            "long_description": (
                "Fiidyo isku imaatin ah, taageero iyo cod aad ku yeelato siyaasadda golaha. Si "
                "qarsoodi ah ayaad ugu biiri kartaa: haddii aad codsato, fariimuhu waxay "
                "isticmaali doonaan magacayaga caadiga ah oo keliya."
            ),
            "discreet_name": "Kooxda kulanka Khamiista",
        },
        "network:women": {
            "name": "Codka Haweenka",
            "short_description": (
                "Haween shaqada ku taageera haween kale: caafimaad, badbaado, xirfad."
            ),
            "long_description": (
                "Taageero xilliga caado-go'iska (menopause), badbaado marka aad kaligaa shift ku "
                "jirto, shaqo dabacsan iyo kalsooni shaqada. Kulan bil kasta ah waqtiga qadada."
            ),
        },
        "network:race": {
            "name": "Kooxda Sinnaanta Isirka",
            "short_description": (
                "Shaqaalaha Madow, Aasiyaanka iyo dadka laga tirada badan yahay, iyo "
                "taageerayaashooda."
            ),
            "long_description": (
                "Meel ammaan ah oo looga hadlo waayo-aragnimada shaqada, hanuuninta (mentoring) "
                "iyo sidii cod kasta loo maqli lahaa, shift kasta oo aad shaqayso ama luqad kasta "
                "oo aad ku hadasho."
            ),
            "discreet_name": "Madasha Isniinta",
        },
        "event:cuppa": {
            "title": "Shaah iyo sheeko",
            "description": (
                "Shaah, buskud iyo qof si naxariis leh kuu dhageysta. Kaalay shan daqiiqo ama "
                "saacadda oo dhan."
            ),
            "place": "Maqaayadda shaqaalaha, Eastfield Depot",
        },
        "event:feeling": {
            "title": 'Saacadda "Sidee tahay?"',
            "description": (
                "Saacad taleefan ah oo aan isla ogaanno sida uu qof walba u yahay. Kamaradda iyo "
                "magaca waa ikhtiyaar."
            ),
            "place": "Taleefanka",
        },
        "event:careers-session": {
            "title": "Kulanka xirfadaha",
            "description": (
                "Bil kasta adeeg kale oo golaha ah ayaa sharxa shaqooyinkiisa iyo sida loo codsado."
            ),
            "place": "Qolka 2, Civic Hall",
        },
        "event:carers-chat": {
            "title": "Sheekada daryeelayaasha",
            "description": (
                "Isla wadaaga waxa shaqeeya: fasaxa, jadwalka, nasashada iyo adeegyada xaafadda."
            ),
            "place": "Qolka beerta, Willow Court",
        },
        "event:families-coffee": {
            "title": "Kafeega subaxa",
            "description": "Carruurta keena: waxaa jira gees ciyaareed iyo meel deggan.",
            "place": "Qolka bulshada, Civic Hall",
        },
        "event:lgbt-social": {
            "title": "Fiid isku imaatin",
            "description": (
                "Cunto, ciyaaro iyo saaxiibtinimo wanaagsan. Taageerayaasha waa lagu soo "
                "dhaweynayaa."
            ),
            "place": "The Corner Café, Market Street",
        },
        "event:women-lunch": {
            "title": "Kulanka qadada",
            "description": (
                "Xilligan: caado-go'iska iyo shaqada, iyo badbaadada marka aad kaligaa shift ku "
                "jirto."
            ),
            "place": "Qolka shirarka, Riverside Depot",
        },
        "event:race-forum": {
            "title": "Kulanka kooxda",
            "description": "Kulan furan: hanuunin, warar ka yimid golaha iyo fikradahaaga.",
            "place": "Qolka shirarka, Riverside Depot",
        },
        "support:samaritans": {
            "name": "Samaritans",
            "hours": "Wakhti kasta, habeen iyo maalin",
            "description": (
                "Bilaash iyo qarsoodi, qof kasta oo dhib ku jira. Uma baahnid inaad isdil ka "
                "fikirayso si aad u soo wacdo."
            ),
        },
        "support:eap": {
            "name": "Barnaamijka Taageerada Shaqaalaha",
            "hours": (
                "Isniin ilaa Jimce 8:00 subaxnimo ilaa 8:00 fiidnimo, Sabti 9:00 subaxnimo ilaa "
                "1:00 duhurnimo"
            ),
            "description": (
                "La-talin nafsiyeed oo bilaash iyo qarsoodi ah, iyo talo ku saabsan lacagta iyo "
                "sharciga, shaqaalaha iyo qoysaskooda."
            ),
        },
        "support:oh": {
            "name": "Caafimaadka Shaqada",
            "hours": "Isniin ilaa Jimce 9:00 subaxnimo ilaa 5:00 galabnimo",
            "description": (
                "Caafimaadka shaqada: isbeddellada shaqada, ku soo noqoshada shaqada iyo u "
                "gudbinta adeegyo kale."
            ),
        },
        "announcement:flu": {
            "body": (
                "Jiilaalkan, tallaalka hargabka waxaa bilaash lagu bixinayaa depot kasta. "
                "Kormeerahaaga weydii waqtiga."
            ),
        },
    },
}

# One SMS keyword per network and language; the service folds case and accents when matching.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "pl": {
        "careers": ("KARIERA",),
        "minds": ("UMYSŁ",),
        "carers": ("OPIEKUNOWIE",),
        "families": ("RODZINY",),
        "dawn": ("ŚWIT",),
        "lgbt": ("TĘCZA",),
        "women": ("KOBIETY",),
        "race": ("RÓWNOŚĆ",),
    },
    "ro": {
        "careers": ("CARIERĂ",),
        "minds": ("MINTE",),
        "carers": ("ÎNGRIJITORI",),
        "families": ("FAMILII",),
        "dawn": ("ZORI",),
        "lgbt": ("CURCUBEU",),
        "women": ("FEMEI",),
        "race": ("EGALITATE",),
    },
    "ur": {
        "careers": ("کیریئر",),
        "minds": ("ذہن",),
        "carers": ("نگہداشت",),
        "families": ("خاندان",),
        "dawn": ("ڈان",),
        "lgbt": ("دھنک",),
        "women": ("خواتین",),
        "race": ("مساوات",),
    },
    "pa": {
        "careers": ("ਕਰੀਅਰ",),
        "minds": ("ਮਨ",),
        "carers": ("ਦੇਖਭਾਲ",),
        "families": ("ਪਰਿਵਾਰ",),
        "dawn": ("ਡੌਨ",),
        "lgbt": ("ਸਤਰੰਗੀ",),
        "women": ("ਔਰਤਾਂ",),
        "race": ("ਬਰਾਬਰੀ",),
    },
    "gu": {
        "careers": ("કારકિર્દી",),
        "minds": ("મન",),
        "carers": ("સંભાળ",),
        "families": ("પરિવાર",),
        "dawn": ("ડૉન",),
        "lgbt": ("મેઘધનુષ",),
        "women": ("મહિલા",),
        "race": ("સમાનતા",),
    },
    "so": {
        "careers": ("XIRFAD",),
        "minds": ("MASKAX",),
        "carers": ("DARYEEL",),
        "families": ("QOYS",),
        "dawn": ("WAABERI",),
        "lgbt": ("QAANSOROOBAAD",),
        "women": ("HAWEEN",),
        "race": ("SINNAAN",),
    },
}
