//! Facts spread over sentences: a proposal names the candidate and the vote that
//! follows names nobody; the one who proposes, introduced by their own title, is not
//! the candidate. Every sentence was written for these tests; names are invented.

use super::test_support::*;
use crate::model::{Event, Lang, Role};

#[test]
fn a_vote_is_for_the_candidate_a_proposal_named_before() {
    check_rows(&[
        (
            Lang::Ru,
            "В Актобе прошла конференция городского филиала партии AMANAT. Аким области предложил избрать председателем филиала акима города Марата Жумабаева. Других кандидатур не было. Делегаты единогласно поддержали предложение.",
            &[("Марат Жумабаев", Role::Chair, Event::Elected)],
        ),
        (
            Lang::Ru,
            "Конференция Павлодарского областного филиала партии «Ак жол» прошла в субботу. Первым заместителем председателя филиала предложили избрать Ирину Котову. Делегаты её поддержали.",
            &[("Ирина Котова", Role::FirstDeputyChair, Event::Elected)],
        ),
    ]);
}

#[test]
fn the_one_who_proposes_is_not_the_candidate() {
    check_rows(&[
        (
            Lang::Ru,
            "Председателем Костанайского областного филиала партии AMANAT избран Ерлан Темиров. Кандидатуру внёс на рассмотрение первый заместитель председателя филиала Олег Сидоренко. За неё проголосовали все делегаты.",
            &[("Ерлан Темиров", Role::Chair, Event::Elected)],
        ),
        (
            Lang::Ru,
            "В Кокшетау прошла конференция Акмолинского областного филиала партии «Ауыл». Председателем филиала избран Серик Абенов. Его кандидатуру предложил секретарь партии Асхат Жаксыбеков. Делегаты поддержали её единогласно.",
            &[("Серик Абенов", Role::Chair, Event::Elected)],
        ),
    ]);
}

#[test]
fn a_vote_after_a_release_paragraph_fills_the_released_post() {
    check_rows(&[(
        Lang::Kk,
        "«Ақ жол» партиясы Павлодар облыстық филиалының конференциясы өтті. Делегаттар филиал төрағасы Серік Омаровты басқа жұмысқа ауысуына байланысты қызметінен босатты.\nОблыстық кеңес өкілі Айдар Жұмабаев бос орынға кәсіпкер Ерлан Сейітовтің кандидатурасын ұсынды. Ол кандидаттың тәжірибесі туралы айтты. Делегаттар ұсынылған кандидатураны бірауыздан қолдады.",
        &[
            ("Серік Омаров", Role::Chair, Event::Dismissed),
            ("Ерлан Сейітов", Role::Chair, Event::Elected),
        ],
    )]);
}

#[test]
fn a_district_branch_keeps_the_district_named_earlier() {
    check_rows(&[(
        Lang::Ru,
        "Суд арестовал председателя Шуского районного филиала партии AMANAT Асета Мырзаханова. Его подозревают во взятке.\nНа заседании бюро Жамбылского областного филиала полномочия Мырзаханова как председателя районного филиала досрочно прекращены.",
        &[("Асет Мырзаханов", Role::Chair, Event::Dismissed)],
    )]);
}

#[test]
fn names_are_put_into_the_nominative_from_their_written_case() {
    check_rows(&[
        (
            Lang::Ru,
            "Председатель Костанайского областного филиала партии «Ак жол» Сергей Панов сложил полномочия. Дела он передал Андрею Литвинову.",
            &[("Сергей Панов", Role::Chair, Event::Resigned)],
        ),
        (
            Lang::Ru,
            "Новым председателем Павлодарского областного филиала партии «Ак жол» избран Ерлан Жаксылыков. Он пришёл на смену Андрею Литвинову, который руководил филиалом шесть лет и сложил полномочия.",
            &[
                ("Ерлан Жаксылыков", Role::Chair, Event::Elected),
                ("Андрей Литвинов", Role::Chair, Event::Resigned),
            ],
        ),
    ]);
}

#[test]
fn an_acting_phrase_governs_the_post_before_it_in_kazakh() {
    check_rows(&[(
        Lang::Kk,
        "«Ақ жол» партиясы Павлодар облыстық филиалының бюросы өтті. Төраға міндетін уақытша атқару төраға орынбасары Ольга Тимченкоға жүктелді.",
        &[("Ольга Тимченко", Role::Chair, Event::Appointed)],
    )]);
}

#[test]
fn a_surname_alone_is_the_person_named_in_full_before() {
    check_rows(&[(
        Lang::Ru,
        "Ответственным секретарём Северо-Казахстанского областного филиала партии AMANAT назначена Жанар Исмаилова. Должность освободилась после того, как её предшественницу Валентину Кравец избрали секретарём городского маслихата. Сегодня бюро освободило Кравец от обязанностей ответственного секретаря.",
        &[
            ("Жанар Исмаилова", Role::ExecutiveSecretary, Event::Appointed),
            ("Валентина Кравец", Role::ExecutiveSecretary, Event::Dismissed),
        ],
    )]);
}

#[test]
fn an_announcement_with_now_and_a_predecessor_who_left() {
    check_rows(&[
        (
            Lang::En,
            "PAVLODAR - The Auyl party said on Monday that Dana Iskakova will now lead its Pavlodar regional branch. She succeeds Ruslan Abenov, who resigned in March to run a farm.",
            &[
                ("Dana Iskakova", Role::Chair, Event::Appointed),
                ("Ruslan Abenov", Role::Chair, Event::Resigned),
            ],
        ),
        (
            Lang::En,
            "Marat Sadykov now heads the Ak Zhol party's Atyrau regional branch. He replaces Timur Nurov, whom the party's bureau relieved of the post.",
            &[
                ("Marat Sadykov", Role::Chair, Event::Appointed),
                ("Timur Nurov", Role::Chair, Event::Dismissed),
            ],
        ),
    ]);
}

#[test]
fn in_his_place_came_takes_the_post_just_released() {
    check_rows(&[(
        Lang::Kk,
        "«Ауыл» партиясы Жамбыл облыстық филиалы бюросының отырысы өтті. Бюро шешімімен филиал төрағасының орынбасары Нұрлан Әлиев өз өтініші бойынша қызметінен босатылды. Оның орнына аудандық мәдениет бөлімінің басшысы болған Гүлнар Сәрсенова келді.",
        &[
            ("Нұрлан Әлиев", Role::DeputyChair, Event::Resigned),
            ("Гүлнар Сәрсенова", Role::DeputyChair, Event::Appointed),
        ],
    )]);
}

#[test]
fn a_vote_after_a_proposal_and_a_pronoun_for_a_name_in_the_same_sentence() {
    check_rows(&[(
        Lang::Ru,
        "В Лисаковске прошла конференция городского филиала партии AMANAT. После того как аким города Олжас Туменов был назначен в областной акимат, конференция освободила его от обязанностей председателя городского филиала. Первый заместитель председателя филиала Ольга Гринь предложила избрать председателем Нурлана Бекова. Делегаты проголосовали единогласно.",
        &[
            ("Олжас Туменов", Role::Chair, Event::Dismissed),
            ("Нурлан Беков", Role::Chair, Event::Elected),
        ],
    )]);
}

#[test]
fn en_headline_verbs_in_the_present_and_a_new_first_secretary() {
    check_rows(&[
        (
            Lang::En,
            "Mangystau AMANAT branch elects Aibek Zhanuzakov as its chairman",
            &[("Aibek Zhanuzakov", Role::Chair, Event::Elected)],
        ),
        (
            Lang::En,
            "Kairat Seitov has become the new first secretary of the Pavlodar regional committee of the Communist People's Party of Kazakhstan.",
            &[("Kairat Seitov", Role::FirstSecretary, Event::Elected)],
        ),
    ]);
}

#[test]
fn kk_trust_expressed_again_and_this_post_named_after_the_last_change() {
    check_rows(&[
        (
            Lang::Kk,
            "«Ақ жол» партиясы Атырау облыстық филиалының конференциясы өтті. Делегаттар филиал төрағасы Бақыт Сейілов тағы да сенім білдірді.",
            &[("Бақыт Сейілов", Role::Chair, Event::ReElected)],
        ),
        (
            Lang::Kk,
            "«Ауыл» партиясы Павлодар облыстық филиалының конференциясы өтті. Делегаттар Ерлан Омаровтың кандидатурасын қарап, оған филиал төрағасы ретінде бірауыздан сенім білдірді. Сонымен қатар конференцияда төрағаның орынбасары сайланды. Бұл қызметке кәсіпкер Дәулет Сейітов сайланды.",
            &[
                ("Ерлан Омаров", Role::Chair, Event::Elected),
                ("Дәулет Сейітов", Role::DeputyChair, Event::Elected),
            ],
        ),
    ]);
}

#[test]
fn how_a_predecessor_left_and_who_acts_in_english() {
    check_rows(&[
        (
            Lang::Kk,
            "«Ақ жол» партиясы Қостанай облыстық филиалының конференциясында филиал төрағасы болып Ерлан Ахметов сайланды. Ол бұл қызметте бес жыл істеген Сергей Воронцовтың орнына келді. Конференцияны ашқан Сергей Воронцов өкілеттігін өз еркімен тапсыратынын мәлімдеді.",
            &[
                ("Ерлан Ахметов", Role::Chair, Event::Elected),
                ("Сергей Воронцов", Role::Chair, Event::Resigned),
            ],
        ),
        (
            Lang::En,
            "The most visible departure came in May, when Arman Bekov resigned from the post of chairman of the Ak Zhol party's Almaty city branch.",
            &[("Arman Bekov", Role::Chair, Event::Resigned)],
        ),
        (
            Lang::En,
            "Rumours circulated that Serik Amanov, chairman of the Ak Zhol party's Shymkent city branch, would step down. He dismissed them in a video address.",
            &[],
        ),
    ]);
}

#[test]
fn in_place_of_a_holder_came_x_and_a_later_verb_tells_how() {
    check_rows(&[
        (
            Lang::Ru,
            "На смену Бахыту Жунусову, почти три года занимавшему пост первого заместителя председателя Павлодарского областного филиала партии «Ак жол», пришёл Ринат Галиев.",
            &[
                ("Ринат Галиев", Role::FirstDeputyChair, Event::Elected),
                ("Бахыт Жунусов", Role::FirstDeputyChair, Event::Dismissed),
            ],
        ),
        (
            Lang::Ru,
            "На смену Бахыту Жунусову, почти три года занимавшему пост первого заместителя председателя Павлодарского областного филиала партии «Ак жол», пришёл Ринат Галиев. Во вторник бюро политсовета филиала утвердило его в этой должности.",
            &[
                ("Ринат Галиев", Role::FirstDeputyChair, Event::Appointed),
                ("Бахыт Жунусов", Role::FirstDeputyChair, Event::Dismissed),
            ],
        ),
    ]);
}

#[test]
fn the_title_of_the_one_who_proposes_is_not_the_post_voted_on() {
    check_rows(&[(
        Lang::Kk,
        "«AMANAT» партиясы Бурабай аудандық филиалының конференциясы өтті. Жаңа төрағаның кандидатурасын облыстық филиал төрағасының бірінші орынбасары Әлібек Сейітов ұсынды. Бұл қызметке аудан әкімі Марат Омаровты сайлау туралы ұсынысты делегаттар бірауыздан қолдады.",
        &[("Марат Омаров", Role::Chair, Event::Elected)],
    )]);
}

#[test]
fn entrusted_with_no_subject_in_a_conference_round_up_is_an_election() {
    check_rows(&[
        (
            Lang::Ru,
            "В Павлодарской области прошли отчётно-выборные конференции районных филиалов партии AMANAT.\nБаянаульский район. Руководить филиалом доверили Айгерим Садыковой, заместителю акима района.",
            &[("Айгерим Садыкова", Role::Chair, Event::Elected)],
        ),
        (
            Lang::Ru,
            "В Павлодаре прошло заседание бюро областного филиала партии AMANAT.\nБаянаульский район. Руководить филиалом доверили Айгерим Садыковой, заместителю акима района.",
            &[("Айгерим Садыкова", Role::Chair, Event::Appointed)],
        ),
    ]);
}

#[test]
fn a_vote_for_someone_just_elected_restates_it_whatever_title_the_proposer_has() {
    check_rows(&[(
        Lang::Kk,
        "«AMANAT» партиясы Қостанай облыстық филиалының конференциясында филиал төрағасының бірінші орынбасары болып Ерлан Сапаров сайланды. Ерлан Сапаровтың кандидатурасын облыс әкімі, партия филиалының төрағасы ұсынды, делегаттар бұл ұсынысты бірауыздан қолдады.",
        &[("Ерлан Сапаров", Role::FirstDeputyChair, Event::Elected)],
    )]);
}
