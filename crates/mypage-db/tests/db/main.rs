//! Tests of the database adapter: the ports' contract suite on memory, SQLite and PostgreSQL; integrity under
//! concurrency on both databases; and the query plans of the hot lookups on 100,000 rows.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail at once with the reason")]

/// Runs each test of the module that invokes it on memory, SQLite and PostgreSQL, in modules named after the backend
/// (`digest::sqlite::…`); PostgreSQL's print `SKIP` where no cluster can start (a failure under `MYPAGE_TEST_STRICT=1`).
macro_rules! on_every_store {
    ($($test:ident),+ $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $test() {
                super::$test(crate::harness::memory()).await;
            })+
        }
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                let fresh = crate::harness::sqlite().await;
                super::$test(fresh.stores()).await;
                fresh.finish().await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                match crate::harness::postgres().await {
                    Ok(fresh) => {
                        super::$test(fresh.stores()).await;
                        fresh.finish().await;
                    }
                    Err(why) => crate::harness::skip(&why),
                }
            })+
        }
    };
}

mod at_rest;
mod care_flows;
mod client_limit;
mod concurrency;
mod contract;
mod digest;
mod harness;
mod job_offers;
mod plans;
mod roles;
mod sessions_care;
mod shedding;

/// Runs each contract test on each backend, in modules named after the backend (`sqlite::flows_…`).
macro_rules! contract_suite {
    ($($test:ident),+ $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $test() {
                crate::contract::$test(crate::harness::memory()).await;
            })+
        }
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                let fresh = crate::harness::sqlite().await;
                crate::contract::$test(fresh.stores()).await;
                fresh.finish().await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                match crate::harness::postgres().await {
                    Ok(fresh) => {
                        crate::contract::$test(fresh.stores()).await;
                        fresh.finish().await;
                    }
                    Err(why) => crate::harness::skip(&why),
                }
            })+
        }
    };
}

contract_suite!(
    accounts_refuse_a_second_account_with_the_same_email,
    accounts_refuse_an_update_from_a_stale_copy,
    accounts_are_found_by_email_and_by_establishment_oldest_first,
    accounts_are_removed_only_from_a_current_copy_and_free_their_email,
    accounts_refuse_an_update_to_an_email_another_account_has,
    flows_allow_one_open_flow_per_email_and_purpose,
    flows_refuse_a_repeated_token,
    flows_come_back_as_they_were_stored,
    flows_whose_keys_all_expired_are_listed_oldest_first,
    registrations_allow_one_open_registration_per_account,
    registrations_come_back_with_their_forms_and_decision,
    registrations_keep_their_unfinished_forms_beside_the_validated_ones,
    registrations_queue_by_office_oldest_submission_first_and_list_old_drafts,
    establishments_refuse_a_repeated_number_and_are_searched_within_an_office,
    establishments_keep_their_register_details_and_refuse_an_update_of_none,
    offices_refuse_a_repeated_code_and_are_listed_by_code,
    offices_update_with_versions_and_keep_their_details_and_closing,
    offices_keep_their_areas_in_order_and_an_edit_without_areas_keeps_them,
    staff_refuse_a_repeated_login_and_update_with_versions,
    staff_keep_their_second_factor,
    terms_refuse_a_repeated_version_and_the_highest_is_current,
    throttle_counts_hits_in_the_window_and_forgets_them,
    throttle_reserves_below_the_limit_and_releases_one_hit,
    throttle_reserve_waits_for_a_concurrent_reservation_of_its_key_and_counts_it,
    audit_events_of_a_subject_come_back_in_the_order_they_were_written,
    a_transaction_dropped_without_commit_keeps_nothing,
    a_queued_mail_is_claimed_once_sent_and_its_key_erased,
    a_mail_whose_lease_ran_out_is_claimed_again,
    a_rescheduled_mail_waits_and_a_dead_mail_can_be_queued_again,
    sessions_live_until_idle_or_expired_and_end_at_logout,
    expired_sessions_are_purged_and_live_ones_kept,
    sessions_of_one_subject_all_end_and_no_other,
);

/// Runs each concurrency test on SQLite and PostgreSQL (`concurrent::sqlite::…`).
macro_rules! concurrency_suite {
    ($($test:ident),+ $(,)?) => {
        mod concurrent {
            mod sqlite {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let fresh = crate::harness::sqlite().await;
                    crate::concurrency::$test(fresh.db.clone()).await;
                    fresh.finish().await;
                })+
            }
            mod postgres {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    match crate::harness::postgres().await {
                        Ok(fresh) => {
                            crate::concurrency::$test(fresh.db.clone()).await;
                            fresh.finish().await;
                        }
                        Err(why) => crate::harness::skip(&why),
                    }
                })+
            }
        }
    };
}

concurrency_suite!(
    of_two_concurrent_redemptions_of_one_key_exactly_one_succeeds,
    of_two_reviewers_confirming_at_once_exactly_one_succeeds,
    concurrent_key_requests_for_one_address_leave_one_open_flow,
    parallel_key_requests_for_one_address_pass_the_hourly_cap_at_most_its_size,
    concurrent_wrong_keys_are_all_counted,
    concurrent_wrong_passwords_for_one_account_check_at_most_the_limit,
    concurrent_wrong_passwords_for_one_staff_member_check_at_most_the_limit,
    one_client_spraying_addresses_in_parallel_checks_at_most_its_limit,
    concurrent_claimers_never_share_a_mail,
    concurrent_allocations_never_repeat_a_number_and_skip_taken_ones,
    a_page_that_only_reads_does_not_wait_for_a_writer_nor_see_its_uncommitted_work,
    a_correction_racing_the_redemption_of_the_old_key_lets_exactly_one_succeed,
);

mod query_plans {
    #[tokio::test]
    async fn sqlite_hot_lookups_use_an_index_on_100000_accounts() {
        let fresh = crate::harness::sqlite().await;
        crate::plans::hot_lookups_use_an_index_on_100000_accounts(fresh.db.clone()).await;
        fresh.finish().await;
    }

    #[tokio::test]
    async fn postgres_hot_lookups_use_an_index_on_100000_accounts() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                crate::plans::hot_lookups_use_an_index_on_100000_accounts(fresh.db.clone()).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }
}

mod secrets_at_rest {
    #[tokio::test]
    async fn sqlite_a_row_no_key_opens_goes_dead_alone_and_a_key_ring_opens_it() {
        let fresh = crate::harness::sqlite().await;
        crate::at_rest::a_row_no_key_opens_goes_dead_alone_and_a_key_ring_opens_it(&fresh).await;
        fresh.finish().await;
    }

    #[tokio::test]
    async fn postgres_a_row_no_key_opens_goes_dead_alone_and_a_key_ring_opens_it() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                crate::at_rest::a_row_no_key_opens_goes_dead_alone_and_a_key_ring_opens_it(&fresh).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }

    #[tokio::test]
    async fn sqlite_the_outbox_holds_the_auth_key_sealed_and_erases_it_once_sent() {
        let fresh = crate::harness::sqlite().await;
        crate::at_rest::the_outbox_holds_the_auth_key_sealed_and_erases_it_once_sent(fresh.db.clone()).await;
        fresh.finish().await;
    }

    #[tokio::test]
    async fn postgres_the_outbox_holds_the_auth_key_sealed_and_erases_it_once_sent() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                crate::at_rest::the_outbox_holds_the_auth_key_sealed_and_erases_it_once_sent(fresh.db.clone()).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }

    #[tokio::test]
    async fn sqlite_a_notice_and_a_withheld_mail_carry_a_sealed_decoy_the_size_of_a_key() {
        let fresh = crate::harness::sqlite().await;
        crate::at_rest::a_notice_and_a_withheld_mail_carry_a_sealed_decoy_the_size_of_a_key(fresh.db.clone()).await;
        fresh.finish().await;
    }

    #[tokio::test]
    async fn postgres_a_notice_and_a_withheld_mail_carry_a_sealed_decoy_the_size_of_a_key() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                let db = fresh.db.clone();
                crate::at_rest::a_notice_and_a_withheld_mail_carry_a_sealed_decoy_the_size_of_a_key(db).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }
}

mod staff_roles {
    #[tokio::test]
    async fn sqlite_r14_a_stored_admin_reads_as_a_central_admin_and_the_split_migration_rewrites_it() {
        let fresh = crate::harness::sqlite().await;
        crate::roles::a_stored_admin_reads_as_a_central_admin_and_the_split_migration_rewrites_it(&fresh).await;
        fresh.finish().await;
    }

    #[tokio::test]
    async fn postgres_r14_a_stored_admin_reads_as_a_central_admin_and_the_split_migration_rewrites_it() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                crate::roles::a_stored_admin_reads_as_a_central_admin_and_the_split_migration_rewrites_it(&fresh).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }
}
