//! Posts of bodies that are not party branches: a council, a supporters' council, a
//! primary organisation referred to by a possessive pronoun, a foreign party's
//! council. They yield nothing even when the article is about a branch; nor does an
//! interview question put to a chair. Every
//! sentence was written for these tests; names are invented.

use super::test_support::*;
use crate::model::{Event, Lang, Role};

#[test]
fn a_post_of_another_body_named_in_the_sentence_or_just_before_is_no_change() {
    check_rows(&[
        (
            Lang::Ru,
            "Первый заместитель председателя Акмолинского областного филиала партии AMANAT Ерлан Сапаров встретился с активом. В тот же день Совет сторонников партии AMANAT в Кокшетау возглавила Асель Нурланова.",
            &[],
        ),
        (
            Lang::Ru,
            "Председатель Костанайского областного филиала партии AMANAT провёл приём граждан. В колледже прошло собрание первичной партийной организации. Её председателем избрана Ольга Романова.",
            &[],
        ),
        (
            Lang::Kk,
            "«AMANAT» партиясы Түркістан облыстық филиалының делегациясы көрші елге барды. Бұған дейін кеңесті басқарған Бахтияр Юсупов басқа қызметке ауысуына байланысты төраға міндетінен босатылды.",
            &[],
        ),
        // a branch named in the sentence keeps its post
        (
            Lang::Ru,
            "Совет ветеранов поздравил делегатов. Председателем Костанайского областного филиала партии AMANAT избран Ерлан Омаров.",
            &[("Ерлан Омаров", Role::Chair, Event::Elected)],
        ),
    ]);
}

#[test]
fn an_interview_question_to_the_new_chair_is_not_a_second_report() {
    check_rows(&[
        (
            Lang::Ru,
            "Председателем Костанайского областного филиала партии «Ак жол» избран Виталий Ковалёв.\n— Виталий Сергеевич, вы недавно возглавили областной филиал. Почему согласились?",
            &[("Виталий Ковалёв", Role::Chair, Event::Elected)],
        ),
    ]);
}

#[test]
fn councils_attached_to_a_branch_and_state_posts_taken_are_no_branch_change() {
    check_rows(&[
        (
            Lang::Kk,
            "«AMANAT» партиясы Ақтөбе облыстық филиалы жанындағы Қоғамдық кеңестің төрағалығына қоғам белсендісі Мұхит Сейітов бекітілді.",
            &[],
        ),
        (
            Lang::Ru,
            "Председателем общественного совета Актюбинской области избран учитель Абдрахман Таскынов. Заместителем председателя стала руководитель общественного объединения Елена Шевчук.",
            &[],
        ),
        (
            Lang::Ru,
            "Председатель Мангистауского областного филиала партии «Ак жол» Ербол Кудайбеков назначен заместителем акима Актау.",
            &[],
        ),
        // a state post after the verb that describes the name that follows
        (
            Lang::Ru,
            "Заместителем председателя Таразского городского филиала партии AMANAT конференция избрала директора средней школы Ларису Пак.",
            &[("Лариса Пак", Role::DeputyChair, Event::Elected)],
        ),
    ]);
}

#[test]
fn a_state_body_someone_led_is_no_post_taken() {
    check_rows(&[(
        Lang::Ru,
        "Первым заместителем председателя Костанайского областного филиала партии AMANAT утверждён Серик Жумабаев, до сегодняшнего дня руководивший аппаратом акима области.",
        &[("Серик Жумабаев", Role::FirstDeputyChair, Event::Appointed)],
    )]);
}

#[test]
fn a_federation_or_a_faction_led_is_no_branch() {
    check_rows(&[
        (
            Lang::Ru,
            "Федерацию тенниса Павлодарской области возглавил Ерлан Садыков, первый заместитель председателя областного филиала партии AMANAT.",
            &[],
        ),
        (
            Lang::Ru,
            "Фракцию партии «Ак жол» в Костанайском областном маслихате возглавил Андрей Белов.",
            &[],
        ),
    ]);
}

#[test]
fn a_remark_in_a_quotation_and_a_request_to_be_released_are_no_change() {
    check_rows(&[
        (
            Lang::Ru,
            "Первый заместитель председателя Павлодарского областного филиала партии AMANAT Тимур Касымов провёл семинар. «Человек, которого избрали секретарём, должен знать каждого члена партии», — сказал Т. Касымов.",
            &[],
        ),
        (
            Lang::En,
            "The current chairman of the AMANAT party's Mangystau regional branch, Nurlan Sadykov, was appointed vice minister last month, and the party said he had asked to be released from his party duties.",
            &[],
        ),
    ]);
}

#[test]
fn kk_the_post_before_bolyp_is_the_one_taken() {
    check_rows(&[
        (
            Lang::Kk,
            "Облыстық тоғызқұмалақ федерациясының президенті болып «AMANAT» партиясы облыстық филиалы төрағасының бірінші орынбасары Ерлан Сейітов сайланды.",
            &[],
        ),
        (
            Lang::Kk,
            "«AMANAT» партиясы Павлодар облыстық филиалының сайлау штабы құрылды. Штаб жетекшісінің орынбасары болып Руслан Ибраев бекітілді.",
            &[],
        ),
        (
            Lang::Kk,
            "«AMANAT» партиясы Павлодар облыстық филиалы төрағасының бірінші орынбасары болып Руслан Ибраев бекітілді.",
            &[("Руслан Ибраев", Role::FirstDeputyChair, Event::Appointed)],
        ),
    ]);
}
