"""The demo site's own pages (the home page, the cities and the practices
indexes) in the six other interface languages, translated for the demo from
data.py's English text. `load_demo` makes them wagtail-localize
translations of the English pages, so that the demo reads in every
interface language."""

SITE_PAGES = {
    "home": {
        "es": {
            "intro": (
                "Una red de aprendizaje entre pares en la que las ciudades comparten lo que funciona "
                "en la Economía Social y Solidaria, inspirada en el proyecto de la OCDE Respond, "
                "Rebuild, Reinvent."
            ),
            "body": (
                "<p>La red se inspira en <b>Respond, Rebuild, Reinvent</b>, un proyecto de aprendizaje "
                "entre pares de la Acción Global de la OCDE <i>Promoting Social and Solidarity Economy "
                "Ecosystems</i>, financiado por la Unión Europea, cuyo informe se publicó en noviembre "
                "de 2021. Participaron nueve ciudades de América y Europa.</p>"
                "<p>Cada ciudad nombró primero los retos en los que quería trabajar, como el desempleo "
                "juvenil y la inclusión de los grupos vulnerables. Después, pequeños grupos de trabajo "
                "compararon soluciones y pusieron a prueba algunas de ellas, y un encuentro final de "
                "todos los pares eligió dos prácticas para escalar: Rikx, de Rotterdam, y CasaBottega, "
                "de Turín.</p>"
                "<p>Explore los casos de estudio por reto o por ciudad, o únase a un grupo de trabajo "
                "para seguir un tema con sus pares.</p>"
            ),
        },
        "fr": {
            "intro": (
                "Un réseau d'apprentissage entre pairs où les villes partagent ce qui fonctionne dans "
                "l'Économie sociale et solidaire, sur le modèle du projet de l'OCDE Respond, Rebuild, "
                "Reinvent."
            ),
            "body": (
                "<p>Le réseau s'inspire de <b>Respond, Rebuild, Reinvent</b>, un projet d'apprentissage "
                "entre pairs de l'Action mondiale de l'OCDE <i>Promoting Social and Solidarity Economy "
                "Ecosystems</i>, financé par l'Union européenne, dont le rapport a paru en novembre 2021. "
                "Neuf villes des Amériques et d'Europe y ont participé.</p>"
                "<p>Chaque ville a d'abord nommé les enjeux sur lesquels elle voulait travailler, comme "
                "le chômage des jeunes et l'inclusion des groupes vulnérables. De petits groupes de "
                "travail ont ensuite comparé des solutions et en ont mis certaines à l'essai, et une "
                "dernière rencontre de tous les pairs a retenu deux pratiques à déployer à plus grande "
                "échelle : Rikx, de Rotterdam, et CasaBottega, de Turin.</p>"
                "<p>Parcourez les études de cas par enjeu ou par ville, ou rejoignez un groupe de "
                "travail pour suivre un thème avec vos pairs.</p>"
            ),
        },
        "it": {
            "intro": (
                "Una rete di apprendimento tra pari in cui le città condividono ciò che funziona "
                "nell'Economia sociale e solidale, sul modello del progetto dell'OCSE Respond, "
                "Rebuild, Reinvent."
            ),
            "body": (
                "<p>La rete si ispira a <b>Respond, Rebuild, Reinvent</b>, un progetto di apprendimento "
                "tra pari dell'Azione globale dell'OCSE <i>Promoting Social and Solidarity Economy "
                "Ecosystems</i>, finanziato dall'Unione europea, il cui rapporto è uscito nel novembre "
                "2021. Vi hanno partecipato nove città delle Americhe e dell'Europa.</p>"
                "<p>Ogni città ha prima indicato le sfide su cui voleva lavorare, come la disoccupazione "
                "giovanile e l'inclusione dei gruppi vulnerabili. Piccoli gruppi di lavoro hanno poi "
                "confrontato soluzioni e ne hanno sperimentate alcune, e un incontro finale di tutti i "
                "pari ha scelto due pratiche da estendere su larga scala: Rikx di Rotterdam e "
                "CasaBottega di Torino.</p>"
                "<p>Esplori i casi di studio per sfida o per città, oppure si unisca a un gruppo di "
                "lavoro per seguire un tema insieme ai suoi pari.</p>"
            ),
        },
        "pt": {
            "intro": (
                "Uma rede de aprendizagem entre pares em que as cidades compartilham o que funciona "
                "na Economia Social e Solidária, inspirada no projeto da OCDE Respond, Rebuild, "
                "Reinvent."
            ),
            "body": (
                "<p>A rede se inspira no <b>Respond, Rebuild, Reinvent</b>, um projeto de aprendizagem "
                "entre pares da Ação Global da OCDE <i>Promoting Social and Solidarity Economy "
                "Ecosystems</i>, financiado pela União Europeia, com relatório publicado em novembro de "
                "2021. Participaram nove cidades das Américas e da Europa.</p>"
                "<p>Cada cidade primeiro nomeou os desafios em que queria trabalhar, como o desemprego "
                "juvenil e a inclusão de grupos vulneráveis. Depois, pequenos grupos de trabalho "
                "compararam soluções e testaram algumas delas, e um encontro final de todos os pares "
                "escolheu duas práticas para ganhar escala: Rikx, de Roterdã, e CasaBottega, de "
                "Turim.</p>"
                "<p>Navegue pelos estudos de caso por desafio ou por cidade, ou participe de um grupo "
                "de trabalho para acompanhar um tema com seus pares.</p>"
            ),
        },
        "pl": {
            "intro": (
                "Sieć wzajemnego uczenia się, w której miasta dzielą się tym, co sprawdza się w "
                "ekonomii społecznej i solidarnej, wzorowana na projekcie OECD Respond, Rebuild, "
                "Reinvent."
            ),
            "body": (
                "<p>Sieć wzoruje się na <b>Respond, Rebuild, Reinvent</b>, projekcie wzajemnego uczenia "
                "się w ramach Globalnej Akcji OECD <i>Promoting Social and Solidarity Economy "
                "Ecosystems</i>, finansowanym przez Unię Europejską, którego raport ukazał się w "
                "listopadzie 2021 r. Wzięło w nim udział dziewięć miast z obu Ameryk i Europy.</p>"
                "<p>Każde miasto najpierw wskazało wyzwania, nad którymi chciało pracować, takie jak "
                "bezrobocie młodzieży i włączenie grup szczególnie narażonych. Następnie małe grupy "
                "robocze porównywały rozwiązania i wypróbowały niektóre z nich, a końcowe spotkanie "
                "wszystkich uczestników wybrało dwie praktyki do upowszechnienia na większą skalę: "
                "Rikx z Rotterdamu i CasaBottega z Turynu.</p>"
                "<p>Przeglądaj studia przypadków według wyzwania lub miasta albo dołącz do grupy "
                "roboczej, aby śledzić temat razem z innymi miastami.</p>"
            ),
        },
        "nl": {
            "intro": (
                "Een netwerk waarin steden van elkaar leren en delen wat werkt in de sociale en "
                "solidaire economie, naar het voorbeeld van het OESO-project Respond, Rebuild, "
                "Reinvent."
            ),
            "body": (
                "<p>Het netwerk is gebaseerd op <b>Respond, Rebuild, Reinvent</b>, een project voor "
                "leren van elkaar binnen de wereldwijde OESO-actie <i>Promoting Social and Solidarity "
                "Economy Ecosystems</i>, gefinancierd door de Europese Unie, waarover in november 2021 "
                "werd gerapporteerd. Negen steden uit Amerika en Europa deden mee.</p>"
                "<p>Elke stad noemde eerst de uitdagingen waaraan ze wilde werken, zoals "
                "jeugdwerkloosheid en de inclusie van kwetsbare groepen. Daarna vergeleken kleine "
                "werkgroepen oplossingen en probeerden er enkele uit, en een slotbijeenkomst van alle "
                "deelnemers koos twee praktijken om op te schalen: Rikx uit Rotterdam en CasaBottega "
                "uit Turijn.</p>"
                "<p>Bekijk de casestudy's per uitdaging of per stad, of sluit je aan bij een werkgroep "
                "om een thema samen met andere steden te volgen.</p>"
            ),
        },
    },
    "cities": {
        "es": {"title": "Ciudades", "intro": "Las ciudades de la red y las prácticas que comparten."},
        "fr": {"title": "Villes", "intro": "Les villes membres du réseau et les pratiques qu'elles partagent."},
        "it": {"title": "Città", "intro": "Le città della rete e le pratiche che condividono."},
        "pt": {"title": "Cidades", "intro": "As cidades da rede e as práticas que compartilham."},
        "pl": {"title": "Miasta", "intro": "Miasta należące do sieci i praktyki, którymi się dzielą."},
        "nl": {"title": "Steden", "intro": "De steden van het netwerk en de praktijken die ze delen."},
    },
    "practices": {
        "es": {
            "title": "Prácticas",
            "intro": (
                "Casos de estudio de prácticas de Economía Social y Solidaria, escritos por las "
                "ciudades de la red para sus pares."
            ),
        },
        "fr": {
            "title": "Pratiques",
            "intro": (
                "Des études de cas de pratiques d'Économie sociale et solidaire, écrites par les villes "
                "du réseau pour leurs pairs."
            ),
        },
        "it": {
            "title": "Pratiche",
            "intro": (
                "Casi di studio di pratiche di Economia sociale e solidale, scritti dalle città della "
                "rete per i loro pari."
            ),
        },
        "pt": {
            "title": "Práticas",
            "intro": (
                "Estudos de caso de práticas de Economia Social e Solidária, escritos pelas cidades da "
                "rede para seus pares."
            ),
        },
        "pl": {
            "title": "Praktyki",
            "intro": (
                "Studia przypadków praktyk ekonomii społecznej i solidarnej, opisane przez miasta sieci "
                "dla innych miast."
            ),
        },
        "nl": {
            "title": "Praktijken",
            "intro": (
                "Casestudy's van praktijken uit de sociale en solidaire economie, geschreven door de "
                "steden van het netwerk voor elkaar."
            ),
        },
    },
}
