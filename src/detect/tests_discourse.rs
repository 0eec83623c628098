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
