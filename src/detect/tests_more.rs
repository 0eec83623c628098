//! Tests of phrasings news uses that the earlier rules missed: Kazakh "became the new
//! head" after a delegates' vote (the person through «ол» back to the candidacy),
//! back-story resignations of whoever "had led the branch", a resignation request granted
//! by a council, nominalised decisions («тағайындау туралы шешім қабылданды», «міндетінен
//! босатты»), English successors ("the post went to", "took over the post", "succeeds")
//! and firing verbs, and Kazakh Latin (2018) regional committees of the Communists.
//! Every sentence was written for these tests; names and events are invented.

use super::test_support::*;
use crate::model::{DetectedChange, Event, Lang, Level, Role};
use chrono::NaiveDate;

fn det(lang: Lang, text: &str) -> Vec<DetectedChange> {
    detect_in(Some(lang), "", text, NaiveDate::from_ymd_opt(2024, 11, 20))
}

// ---------------------------------------------------------------- 1. became the new head

#[test]
fn kk_became_new_head_via_pronoun_after_candidacy() {
    let c = one(det(
        Lang::Kk,
        "«Ауыл» партиясының Түркістан облыстық филиалында есепті жиын өтті. Делегаттар Серік Жанботаевтың кандидатурасын ұсынды. Дауыс беру қорытындысы бойынша ол облыстық филиалдың жаңа басшысы болды.",
    ));
    check(
        &c,
        "Серік Жанботаев",
        Role::Chair,
        Event::Elected,
        "KZ-61",
        Level::Region,
    );
}

#[test]
fn kk_became_new_chair_after_delegates_support() {
    let c = one(det(
        Lang::Kk,
        "Кеше «AMANAT» партиясының Павлодар облыстық филиалының конференциясы өтті. Делегаттар Ерлан Сапаровтың кандидатурасын ұсынды. Оны 54 делегат қолдап, ол облыстық филиалдың жаңа төрағасы болды.",
    ));
    check(
        &c,
        "Ерлан Сапаров",
        Role::Chair,
        Event::Elected,
        "KZ-55",
        Level::Region,
    );
}

#[test]
fn kk_was_chair_without_new_is_not_a_change() {
    let v = det(
        Lang::Kk,
        "Айдар Сейітов 2010 жылы «AMANAT» партиясының Павлодар облыстық филиалының төрағасы болды деп еске алды.",
    );
    assert!(v.iter().all(|c| c.event != Event::Elected), "{v:#?}");
}

// ---------------------------------------------------------------- 2. previously led

#[test]
fn kk_previously_led_then_left_is_chair_resigned() {
    let v = det(
        Lang::Kk,
        "«Ақ жол» партиясының Қостанай облыстық филиалына жаңа төраға сайланды. Бұған дейін филиалды басқарған Марат Жұмабеков наурыз айында қызметінен өз еркімен кеткен еді.",
    );
    let c = find(&v, "Марат Жұмабеков");
    check(
        c,
        "Марат Жұмабеков",
        Role::Chair,
        Event::Resigned,
        "KZ-39",
        Level::Region,
    );
    assert_eq!(c.date, None);
}

#[test]
fn kk_led_branch_alone_names_the_chair() {
    let c = one(det(
        Lang::Kk,
        "Бұған дейін «Ақ жол» партиясының Павлодар облыстық филиалын басқарған Ержан Қасымов қазан айында қызметінен өз еркімен кеткен еді.",
    ));
    check(
        &c,
        "Ержан Қасымов",
        Role::Chair,
        Event::Resigned,
        "KZ-55",
        Level::Region,
    );
}

// ---------------------------------------------------------------- 3. request granted

#[test]
fn kk_request_to_end_powers_is_a_resignation() {
    let c = one(det(
        Lang::Kk,
        "«AMANAT» партиясы Атырау облыстық филиалының төрағасы Бауыржан Қалиев өкілеттігін мерзімінен бұрын тоқтататынын мәлімдеп, саяси кеңеске өтініш берді. Кеңес оның өтінішін 12 қазанда қанағаттандырды.",
    ));
    check(
        &c,
        "Бауыржан Қалиев",
        Role::Chair,
        Event::Resigned,
        "KZ-23",
        Level::Region,
    );
}

// ---------------------------------------------------------------- 4. nominalised decisions

#[test]
fn kk_decision_to_appoint_fills_the_vacated_post() {
    let v = det(
        Lang::Kk,
        "«Respublica» партиясы Жамбыл облыстық филиалының бюро отырысында төраға Асхат Омаровты басқа жұмысқа ауысуына орай атқарып жүрген міндетінен босатты. Бос лауазымға Дәурен Серікбаевты тағайындау туралы шешім қабылданды.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let out = find(&v, "Асхат Омаров");
    check(
        out,
        "Асхат Омаров",
        Role::Chair,
        Event::Dismissed,
        "KZ-31",
        Level::Region,
    );
    let new = find(&v, "Дәурен Серікбаев");
    check(
        new,
        "Дәурен Серікбаев",
        Role::Chair,
        Event::Appointed,
        "KZ-31",
        Level::Region,
    );
}

// ---------------------------------------------------------------- 5. English successors

#[test]
fn en_post_went_to_takes_previous_role_and_branch() {
    let v = det(
        Lang::En,
        "The Amanat party's Kostanay regional bureau sacked deputy chairman Yerlan Mukanov on Tuesday. The post went to Aidos Bekov.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let out = find(&v, "Yerlan Mukanov");
    check(
        out,
        "Yerlan Mukanov",
        Role::DeputyChair,
        Event::Dismissed,
        "KZ-39",
        Level::Region,
    );
    let new = find(&v, "Aidos Bekov");
    check(
        new,
        "Aidos Bekov",
        Role::DeputyChair,
        Event::Appointed,
        "KZ-39",
        Level::Region,
    );
}

#[test]
fn en_sacked_as_and_took_over_the_post() {
    let v = det(
        Lang::En,
        "The Aktobe regional bureau of Respublica sacked Nurlan Ospanov as deputy chairman. Marat Tulegenov took over the post.",
    );
    let new = find(&v, "Marat Tulegenov");
    check(
        new,
        "Marat Tulegenov",
        Role::DeputyChair,
        Event::Appointed,
        "KZ-15",
        Level::Region,
    );
    let out = find(&v, "Nurlan Ospanov");
    assert_eq!(out.event, Event::Dismissed);
}

#[test]
fn en_succeeds_after_conference_is_elected() {
    let v = det(
        Lang::En,
        "Ak Zhol's Pavlodar regional branch held a conference on Friday to choose a new chairman. Serik Abenov succeeds Daulet Karimov.",
    );
    assert_eq!(v.len(), 2, "{v:#?}");
    let c = find_surname(&v, "Abenov");
    check_post(c, Role::Chair, Event::Elected, "KZ-55", Level::Region);
    // whoever the successor succeeds left the post
    let p = find_surname(&v, "Karimov");
    check_post(p, Role::Chair, Event::Dismissed, "KZ-55", Level::Region);
}

#[test]
fn en_voted_out_is_dismissal_and_successor_elected() {
    let v = det(
        Lang::En,
        "Delegates of the Auyl party's Jambyl regional conference voted out chairman Bolat Sadykov on Monday. Asel Nurova took over the post.",
    );
    check(
        find(&v, "Bolat Sadykov"),
        "Bolat Sadykov",
        Role::Chair,
        Event::Dismissed,
        "KZ-31",
        Level::Region,
    );
    check(
        find(&v, "Asel Nurova"),
        "Asel Nurova",
        Role::Chair,
        Event::Elected,
        "KZ-31",
        Level::Region,
    );
}

#[test]
fn en_pronoun_successor_does_not_report_predecessor_as_appointed() {
    let v = det(
        Lang::En,
        "Amanat's Atyrau regional branch appointed Timur Zhaksylykov as its chairman on Monday. He succeeds Gulnar Abenova.",
    );
    assert!(
        v.iter()
            .all(|c| c.person != "Gulnar Abenova" || c.event != Event::Appointed),
        "{v:#?}"
    );
    assert_eq!(find(&v, "Timur Zhaksylykov").event, Event::Appointed);
}

// ---------------------------------------------------------------- 6. Kazakh Latin (2018)

#[test]
fn kk_latin_2018_communist_committee_keeps_letters() {
    let v = det(
        Lang::Kk,
        "QKHP Pavlodar oblystyq komıtetiniń birinshi hatshysy bolyp Júsipbek Nartaev saılandy. Buǵan deıin Ǵalym Sársenov óz ótinishimen qyzmetinen ketti.",
    );
    check(
        find(&v, "Júsipbek Nartaev"),
        "Júsipbek Nartaev",
        Role::FirstSecretary,
        Event::Elected,
        "KZ-55",
        Level::Region,
    );
    check(
        find(&v, "Ǵalym Sársenov"),
        "Ǵalym Sársenov",
        Role::FirstSecretary,
        Event::Resigned,
        "KZ-55",
        Level::Region,
    );
}

#[test]
fn kk_regional_committee_carries_its_level() {
    // «Алматы» alone is the city; «облыстық комитеті» makes it the region
    let c = one(det(
        Lang::Kk,
        "ҚКХП Алматы облыстық комитетінің бірінші хатшысы Ғалым Сәрсенов өз өтінішімен қызметінен кетті.",
    ));
    check(
        &c,
        "Ғалым Сәрсенов",
        Role::FirstSecretary,
        Event::Resigned,
        "KZ-19",
        Level::Region,
    );
    let c = one(det(
        Lang::Kk,
        "Qazaqstan Kommýnıstik Halyq partııasy Almaty oblysy komıtetiniń birinshi hatshysy Ǵalym Sársenov óz ótinishimen qyzmetinen ketti.",
    ));
    check(
        &c,
        "Ǵalym Sársenov",
        Role::FirstSecretary,
        Event::Resigned,
        "KZ-19",
        Level::Region,
    );
}

#[test]
fn en_took_over_as_names_its_post_and_from_takes_the_previous() {
    let c = one(det(
        Lang::En,
        "Amanat's Aktobe regional branch held a conference on Friday. Yerlan Nurov took over as deputy chairman.",
    ));
    check(
        &c,
        "Yerlan Nurov",
        Role::DeputyChair,
        Event::Elected,
        "KZ-15",
        Level::Region,
    );
    let v = det(
        Lang::En,
        "Respublica's Pavlodar regional bureau removed chairman Daulet Karimov on Monday. Serik Abenov took over from him.",
    );
    check(
        find(&v, "Serik Abenov"),
        "Serik Abenov",
        Role::Chair,
        Event::Appointed,
        "KZ-55",
        Level::Region,
    );
}

#[test]
fn kk_request_sent_and_became_known_as_new_chair() {
    let c = one(det(
        Lang::Kk,
        "«Ақ жол» партиясы Қостанай облыстық филиалының төрағасы Дархан Әлиев қызметінен кету туралы бюроға өтініш түсірді.",
    ));
    check(
        &c,
        "Дархан Әлиев",
        Role::Chair,
        Event::Resigned,
        "KZ-39",
        Level::Region,
    );
    let c = one(det(
        Lang::Kk,
        "«Ауыл» партиясының Абай облыстық филиалында конференция өтті. Айгүл Темірова облыстық филиалдың жаңа төрағасы атанды.",
    ));
    check(
        &c,
        "Айгүл Темірова",
        Role::Chair,
        Event::Elected,
        "KZ-10",
        Level::Region,
    );
}

#[test]
fn kk_request_granted_by_bureau_dates_the_resignation() {
    let c = one(det(
        Lang::Kk,
        "«AMANAT» партиясы Абай облыстық филиалының төрағасы Ерлан Қасенов өкілеттігін мерзімінен бұрын тоқтату туралы өтініш жазды. Саяси кеңес бюросы 3 сәуірде оның өтінішін қанағаттандырды.",
    ));
    check(
        &c,
        "Ерлан Қасенов",
        Role::Chair,
        Event::Resigned,
        "KZ-10",
        Level::Region,
    );
    assert_eq!(c.date, NaiveDate::from_ymd_opt(2024, 4, 3), "{c:#?}");
}

#[test]
fn kk_new_head_of_a_state_body_is_not_a_branch_change() {
    let v = det(
        Lang::Kk,
        "«AMANAT» партиясының мүшесі Асқар Нұрланов Павлодар облыстық мәслихатының жаңа төрағасы болды.",
    );
    assert!(v.is_empty(), "{v:#?}");
}
