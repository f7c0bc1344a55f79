/// Function words per language. They are dropped after the concept lexicon has had its
/// chance (so "when", "more" or "no longer" can still be concepts), and they vote for the
/// language of a text, which picks the stop list and the stemmer.
enum StopWords {
    /// Articles and prepositions that a phrase of the lexicon may skip ("return to the office"
    /// = "return to office", "Rückkehr ins Büro"), in every language.
    static let glue: Set<String> = Set(fold("""
        the a an to of for in on at by from into our my your their its \
        der die das den dem des ein eine einen einem einer eines zum zur ins im am an zu von vom fur mit \
        le la les l un une de des du d au aux a en pour sur \
        el los las del al para con \
        o os as um uma do da dos das na nas ao em \
        il lo i gli di della dei delle alla nel \
        het een van voor op naar te
        """))

    static func list(_ language: Language) -> Set<String> { lists[language.rawValue] }

    private static let lists: [Set<String>] = Language.allCases.map { Set(fold(raw[$0]!)).union(glue) }

    /// For language detection: each stop word votes 1/k for each of the k languages it is in.
    static let votes: [String: [(Language, Double)]] = {
        var langs: [String: [Language]] = [:]
        for language in Language.allCases {
            for word in Set(fold(raw[language]!)) { langs[word, default: []].append(language) }
        }
        return langs.mapValues { ls in ls.map { ($0, 1.0 / Double(ls.count)) } }
    }()

    /// The language whose stop words (and typical letters) the text uses most; English on a tie.
    static func detect(tokens: [String], hints: [Int]) -> Language {
        var score = hints.map { Double($0) * 0.5 }
        for token in tokens {
            guard let vs = votes[token] else { continue }
            for (language, weight) in vs { score[language.rawValue] += weight }
        }
        var best = Language.en
        for language in Language.allCases where score[language.rawValue] > score[best.rawValue] { best = language }
        return best
    }

    private static func fold(_ s: String) -> [String] { Normalizer.fold(s) }

    private static let raw: [Language: String] = [
        .en: """
            i me my we us our you your he she it its they them their this that these those there here \
            is are was were be been being am will would shall should can could may might must do does did \
            doing done have has had having get gets got getting going go make made let lets \
            and or but if so as than then too very just really also still already yet even ever only \
            what which who whom whose where how about any some all each every both such own same \
            with without into onto off out up down over under again further once \
            not no nor don t s ll re ve d m isn aren won wouldn doesn didn can't cannot \
            please thanks thank hi hello anyone someone something anything actually currently now \
            plan plans planned planning idea ideas think considering consider possible possibility chance \
            know want like would need needs true rumour rumor rumours rumors confirmed thing things lot way \
            many much more less most other another one ones why when
            """,
        .de: """
            ich du er sie es wir ihr mich mir uns euch ihn ihm ihnen mein meine meinen meinem meiner \
            dein unser unsere unseren unserem unserer euer ihre ihren ihrem sein seine seinen \
            ist sind war waren bin bist sein gewesen wird werden wurde wurden worden hat haben hatte hatten \
            kann koennen konnen konnte konnten muss mussen muessen musste soll sollen sollte sollten \
            will wollen wollte darf durfen mag mochte \
            und oder aber wenn dass weil denn ob als wie so auch noch schon nur sehr mal doch ja nein nicht \
            kein keine keinen keiner was wer wo wann warum wieso welche welcher welches welchen \
            es gibt gibts bald jetzt immer wieder etwa eigentlich bitte danke stimmt dieses diese dieser diesen \
            man uber unter nach vor bei bis durch gegen ohne um aus auf hier dort da dann \
            geplant plane plant geben gilt stimmen viel viele mehr weniger andere anderen
            """,
        .fr: """
            je tu il elle on nous vous ils elles me te se moi toi lui leur leurs mon ma mes ton ta tes \
            son sa ses notre nos votre vos ce cet cette ces ceci cela ca qui que quoi dont ou \
            est sont etait etaient etre ete sera seront serait seraient suis es sommes etes \
            a ai as avons avez ont avait avaient aura auront aurait avoir \
            peut peux peuvent pourra pourront pourrait pourrions pourriez doit doivent devrait faut \
            va vont vais allons aller fait faire \
            et mais ni car donc si comme aussi encore deja tres tout tous toute toutes plus moins \
            ne pas non oui y t il quel quelle quels quelles quand comment pourquoi \
            avec sans chez entre vers par dans sous lors apres avant pendant depuis \
            prevu prevue prevus prevues envisage possible merci svp est-ce
            """,
        .es: """
            yo tu el ella nosotros nosotras vosotros ellos ellas me te se nos os le les lo mi mis su sus \
            nuestro nuestra nuestros nuestras vuestro este esta estos estas ese esa eso esto aquel \
            es son era eran ser sido sera seran seria estar esta estan estamos estoy \
            ha han he hemos habia haber hay habra \
            puede pueden podemos podra podran podria podrian puedo debe deben tiene tienen tenemos tengo \
            va van vamos voy ir hacer hace hacen \
            y e o u pero ni si sino como que quien cual cuales donde cuando porque tambien ya muy tan tanto \
            todo todos toda todas mas menos otro otra no sin sobre entre hasta desde hacia segun durante \
            verdad gracias favor alguien algo
            """,
        .pt: """
            eu tu ele ela nos vos eles elas me te se lhe lhes meu minha meus minhas seu sua seus suas \
            nosso nossa nossos nossas este esta isto esse essa isso aquele \
            e sao era eram ser sera serao seria estar esta estao estamos \
            tem temos ter tinha havera \
            pode podem podemos podera poderao deve devem vai vao vamos fazer faz \
            mas ou se como que quem qual onde quando porque tambem ja muito tao todo todos toda \
            mais menos outro outra nao sem sobre entre ate desde durante pelo pela pelos pelas obrigado
            """,
        .it: """
            io tu lui lei noi voi loro mi ti ci vi si gli ne mio mia miei mie suo sua suoi nostro nostra \
            questo questa questi queste quello quella \
            e sono era erano essere stato sara saranno sarebbe ha hanno ho abbiamo avere \
            puo possono possiamo potra potranno potrebbe deve devono va vanno fare fa \
            ed ma o se come che chi quale dove quando perche anche gia molto tanto tutto tutti tutta \
            piu meno altro altra altri altre non senza su tra fra fino da dal dalla durante \
            previsto previsti prevista previste grazie
            """,
        .nl: """
            ik jij je hij zij ze wij we jullie mij me ons onze hem haar hun mijn jouw uw zijn \
            dit dat deze die er hier daar \
            is zijn was waren wordt worden werd werden geweest ben bent \
            heeft hebben had hadden kan kunnen kon konden moet moeten mag mogen zal zullen zou zouden \
            wil willen gaat gaan doen doet \
            en of maar als dan ook nog al heel zeer niet geen wel wat wie welke waar wanneer waarom hoe \
            komt komen komen er meer minder andere bij met om uit tot door over onder tegen zonder \
            alstublieft bedankt
            """,
    ]
}
